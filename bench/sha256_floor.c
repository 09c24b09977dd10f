// SHA-256's own speed on this machine, with the BoringSSL that swift-crypto builds into the agent:
// the floor under what hashing segments (issue 21) can cost. Chunks of 64 KiB as the commitments
// hash them, over a buffer larger than the caches, fed in 32 KiB updates.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

// BoringSSL's SHA256_CTX is 112 bytes; a larger, aligned opaque block is enough to hold it.
typedef union { uint64_t align; unsigned char bytes[256]; } Context;
int CCryptoBoringSSL_SHA256_Init(Context *);
int CCryptoBoringSSL_SHA256_Update(Context *, const void *, size_t);
int CCryptoBoringSSL_SHA256_Final(uint8_t *, Context *);

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    double footage = argc > 1 ? atof(argv[1]) : 13.6; // MB/s to hash (32 cameras at ~3.4 Mbit/s)
    size_t size = (size_t)256 << 20, chunk = 65536;
    uint8_t *data = malloc(size), digest[32];
    if (!data) return 1;
    for (size_t i = 0; i < size; i++) data[i] = (uint8_t)(i * 7);
    double start = cpu_seconds();
    for (size_t offset = 0; offset < size; offset += chunk) {
        Context context;
        CCryptoBoringSSL_SHA256_Init(&context);
        unsigned char leaf = 0x00;
        CCryptoBoringSSL_SHA256_Update(&context, &leaf, 1);
        for (size_t run = 0; run < chunk; run += 32768) CCryptoBoringSSL_SHA256_Update(&context, data + offset + run, 32768);
        CCryptoBoringSSL_SHA256_Final(digest, &context);
    }
    double seconds = cpu_seconds() - start, rate = size / seconds / 1e9;
    printf("sha256 (swift-crypto's BoringSSL): %.2f GB/s per core; %.1f MB/s of footage needs at least %.4f cores\n",
           rate, footage, footage / 1e3 / rate);
    return digest[0] == 0x42 && digest[1] == 0x42 ? 2 : 0; // keeps the loop from being optimised away
}
