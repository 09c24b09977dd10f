#ifndef CCURL_SHIMS_H
#define CCURL_SHIMS_H
// Why this target exists: `curl_easy_setopt` and `curl_easy_getinfo` are variadic, which Swift
// cannot call. These typed, non-variadic wrappers are the only way Kuzet sets options.
// Every symbol is prefixed `CCurlShims_`.
#include <curl/curl.h>

CURLcode CCurlShims_setoptLong(CURL *_Nonnull handle, CURLoption option, long value);
CURLcode CCurlShims_setoptString(CURL *_Nonnull handle, CURLoption option, const char *_Nullable value);
CURLcode CCurlShims_setoptPointer(CURL *_Nonnull handle, CURLoption option, void *_Nullable value);
CURLcode CCurlShims_setoptSlist(CURL *_Nonnull handle, CURLoption option, struct curl_slist *_Nullable value);
CURLcode CCurlShims_setoptOffT(CURL *_Nonnull handle, CURLoption option, curl_off_t value);

typedef size_t (*CCurlShims_DataCallback)(char *_Nonnull data, size_t size, size_t count, void *_Nullable context);
CURLcode CCurlShims_setoptWriteFunction(CURL *_Nonnull handle, CCurlShims_DataCallback _Nullable callback);
CURLcode CCurlShims_setoptHeaderFunction(CURL *_Nonnull handle, CCurlShims_DataCallback _Nullable callback);

typedef int (*CCurlShims_ProgressCallback)(void *_Nullable context, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
CURLcode CCurlShims_setoptProgressFunction(CURL *_Nonnull handle, CCurlShims_ProgressCallback _Nullable callback);

CURLcode CCurlShims_getinfoLong(CURL *_Nonnull handle, CURLINFO info, long *_Nonnull value);
CURLcode CCurlShims_getinfoDouble(CURL *_Nonnull handle, CURLINFO info, double *_Nonnull value);

// CURL_GLOBAL_DEFAULT is a macro built from casts, which Swift does not import.
CURLcode CCurlShims_globalInitDefault(void);

// The CURLAUTH_* masks are macros built from `unsigned long` casts and shifts, which Swift
// does not import; these return them so the Swift side never hard-codes a bit.
long CCurlShims_authBasic(void);
long CCurlShims_authDigest(void);
/// CURLAUTH_ANY minus Basic: curl picks the strongest scheme the server offers, never plain Basic.
long CCurlShims_authAnySafe(void);

#endif
