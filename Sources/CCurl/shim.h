// libcurl (Debian 12: 7.88.1, OpenSSL flavour).
#include <curl/curl.h>
