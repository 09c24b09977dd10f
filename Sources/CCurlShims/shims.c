#include "CCurlShims.h"

CURLcode CCurlShims_setoptLong(CURL *handle, CURLoption option, long value) { return curl_easy_setopt(handle, option, value); }
CURLcode CCurlShims_setoptString(CURL *handle, CURLoption option, const char *value) { return curl_easy_setopt(handle, option, value); }
CURLcode CCurlShims_setoptPointer(CURL *handle, CURLoption option, void *value) { return curl_easy_setopt(handle, option, value); }
CURLcode CCurlShims_setoptSlist(CURL *handle, CURLoption option, struct curl_slist *value) { return curl_easy_setopt(handle, option, value); }
CURLcode CCurlShims_setoptOffT(CURL *handle, CURLoption option, curl_off_t value) { return curl_easy_setopt(handle, option, value); }
CURLcode CCurlShims_setoptWriteFunction(CURL *handle, CCurlShims_DataCallback callback) { return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback); }
CURLcode CCurlShims_setoptHeaderFunction(CURL *handle, CCurlShims_DataCallback callback) { return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback); }
CURLcode CCurlShims_setoptProgressFunction(CURL *handle, CCurlShims_ProgressCallback callback) { return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback); }
CURLcode CCurlShims_getinfoLong(CURL *handle, CURLINFO info, long *value) { return curl_easy_getinfo(handle, info, value); }
CURLcode CCurlShims_getinfoDouble(CURL *handle, CURLINFO info, double *value) { return curl_easy_getinfo(handle, info, value); }
CURLcode CCurlShims_globalInitDefault(void) { return curl_global_init(CURL_GLOBAL_DEFAULT); }
long CCurlShims_authBasic(void) { return (long)CURLAUTH_BASIC; }
long CCurlShims_authDigest(void) { return (long)CURLAUTH_DIGEST; }
long CCurlShims_authAnySafe(void) { return (long)CURLAUTH_ANYSAFE; }
