/* OpenSSL peer for benches/run: X509_verify_cert with purpose sslclient, per iteration parsing
 * the PEM chain, building a context, verifying at a fixed time.
 *
 *   openssl_verify ROOT.pem CHAIN.pem UNIX_TIME ITERATIONS
 * prints "<cpu microseconds per verification>" and exits 0, or exits 1 when the chain is
 * rejected (the corrupted-signature control must be). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

static char *slurp(const char *path, long *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END); *len = ftell(f); rewind(f);
    char *buf = malloc(*len);
    if (fread(buf, 1, *len, f) != (size_t)*len) { perror(path); exit(2); }
    fclose(f);
    return buf;
}

static int verify_once(X509_STORE *store, const char *pem, long len, time_t at) {
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    X509 *leaf = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509 *extra;
    while ((extra = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) sk_X509_push(untrusted, extra);
    ERR_clear_error();
    BIO_free(bio);
    if (!leaf) return 0;
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, leaf, untrusted);
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), at);
    int ok = X509_verify_cert(ctx) == 1;
    X509_STORE_CTX_free(ctx);
    X509_free(leaf);
    sk_X509_pop_free(untrusted, X509_free);
    return ok;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s ROOT CHAIN TIME N\n", argv[0]); return 2; }
    long root_len, chain_len;
    char *root_pem = slurp(argv[1], &root_len);
    char *chain_pem = slurp(argv[2], &chain_len);
    time_t at = (time_t)atoll(argv[3]);
    long n = atol(argv[4]);

    X509_STORE *store = X509_STORE_new();
    BIO *bio = BIO_new_mem_buf(root_pem, (int)root_len);
    X509 *root;
    while ((root = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) { X509_STORE_add_cert(store, root); X509_free(root); }
    BIO_free(bio);

    if (!verify_once(store, chain_pem, chain_len, at)) return 1;
    clock_t start = clock();
    for (long i = 0; i < n; i++) {
        if (!verify_once(store, chain_pem, chain_len, at)) return 1;
    }
    double us = (double)(clock() - start) / CLOCKS_PER_SEC * 1e6 / (double)n;
    printf("%.2f\n", us);
    X509_STORE_free(store);
    return 0;
}
