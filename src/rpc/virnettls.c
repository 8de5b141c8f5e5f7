/*
 * virnettls.c: TLS contexts and sessions of the remote protocol on
 * GnuTLS (see virnettls.h): loading and checking our own credentials,
 * checking the peer's certificate, and records on non-blocking sockets.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "rpc/virnettls.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

struct _virNetTLSContext {
    gint refs;
    bool isServer;
    bool requireValid;
    char *cacert;               /* for the messages */
    gnutls_certificate_credentials_t cred;
    gnutls_priority_t priority;
    char **dnList;              /* NULL: every DN */
};

struct _virNetTLSSession {
    virNetTLSContext *ctx;
    gnutls_session_t session;
    int fd;
    char *hostname;             /* client: the name the server must bear */
};

void
virNetTLSFilesClear(virNetTLSFiles *files)
{
    g_clear_pointer(&files->cacert, g_free);
    g_clear_pointer(&files->cacrl, g_free);
    g_clear_pointer(&files->cert, g_free);
    g_clear_pointer(&files->key, g_free);
}

void
virNetTLSFilesClient(const char *pkipath, virNetTLSFiles *files)
{
    virNetTLSFilesClear(files);
    if (pkipath) {
        files->cacert = g_build_filename(pkipath, "cacert.pem", NULL);
        files->cacrl = g_build_filename(pkipath, "cacrl.pem", NULL);
        files->cert = g_build_filename(pkipath, "clientcert.pem", NULL);
        files->key = g_build_filename(pkipath, "clientkey.pem", NULL);
        return;
    }
    if (geteuid() != 0) {
        g_autofree char *dir = g_build_filename(g_get_home_dir(), ".pki",
                                                "libvirt", NULL);
        g_autofree char *cert = g_build_filename(dir, "clientcert.pem", NULL);
        g_autofree char *key = g_build_filename(dir, "clientkey.pem", NULL);

        files->cacert = g_build_filename(dir, "cacert.pem", NULL);
        files->cacrl = g_build_filename(dir, "cacrl.pem", NULL);
        if (access(files->cacert, F_OK) < 0)
            g_clear_pointer(&files->cacert, g_free);
        if (access(files->cacrl, F_OK) < 0)
            g_clear_pointer(&files->cacrl, g_free);
        /* The certificate and its key only make sense together. */
        if (access(cert, F_OK) == 0 && access(key, F_OK) == 0) {
            files->cert = g_steal_pointer(&cert);
            files->key = g_steal_pointer(&key);
        }
    }
    if (!files->cacert)
        files->cacert = g_strdup(VIR_NET_TLS_CACERT);
    if (!files->cacrl)
        files->cacrl = g_strdup(VIR_NET_TLS_CACRL);
    if (!files->cert) {
        files->cert = g_strdup(VIR_NET_TLS_CLIENTCERT);
        files->key = g_strdup(VIR_NET_TLS_CLIENTKEY);
    }
}

/* A time as the messages show it: "2020-01-01 00:00:00 UTC". */
static char *
virNetTLSFormatTime(time_t t)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);

    if (!dt)
        return g_strdup_printf("@%lld", (long long) t);
    return g_date_time_format(dt, "%Y-%m-%d %H:%M:%S UTC");
}

/* The Distinguished Name of @crt (caller frees), as libvirt shows it. */
static char *
virNetTLSCertDN(gnutls_x509_crt_t crt)
{
    size_t len = 0;
    g_autofree char *dn = NULL;

    if (gnutls_x509_crt_get_dn(crt, NULL, &len) != GNUTLS_E_SHORT_MEMORY_BUFFER)
        return g_strdup("");
    dn = g_malloc0(len + 1);
    if (gnutls_x509_crt_get_dn(crt, dn, &len) < 0)
        return g_strdup("");
    return g_steal_pointer(&dn);
}

/* Every certificate of the PEM file @path (at least one). Returns the
 * count, or -1 with an error naming @what and @path. */
static int
virNetTLSLoadCerts(const char *what, const char *path,
                   gnutls_x509_crt_t **certs)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(GError) gerr = NULL;
    gnutls_datum_t datum;
    unsigned int n = 0;
    int rc;

    *certs = NULL;
    if (!g_file_get_contents(path, &data, &len, &gerr)) {
        virReportError(VIR_ERR_SYSTEM_ERROR, "cannot read the %s '%s': %s",
                       what, path, gerr->message);
        return -1;
    }
    datum.data = (unsigned char *) data;
    datum.size = len;
    rc = gnutls_x509_crt_list_import2(certs, &n, &datum, GNUTLS_X509_FMT_PEM, 0);
    if (rc < 0 || n == 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       "the %s '%s' holds no PEM certificate: %s", what, path,
                       rc < 0 ? gnutls_strerror(rc) : "none found");
        return -1;
    }
    return n;
}

static void
virNetTLSFreeCerts(gnutls_x509_crt_t *certs, int n)
{
    for (int i = 0; i < n; i++)
        gnutls_x509_crt_deinit(certs[i]);
    gnutls_free(certs);
}

/* Is @crt active now and not expired? Reports an error naming @what
 * and @path otherwise (a check of our own files, before any peer). */
static int
virNetTLSCheckDates(gnutls_x509_crt_t crt, const char *what, const char *path)
{
    time_t now = time(NULL);
    time_t t;

    if ((t = gnutls_x509_crt_get_expiration_time(crt)) != (time_t) -1 && t < now) {
        g_autofree char *when = virNetTLSFormatTime(t);

        virReportError(VIR_ERR_SYSTEM_ERROR, "the %s '%s' expired on %s",
                       what, path, when);
        return -1;
    }
    if ((t = gnutls_x509_crt_get_activation_time(crt)) != (time_t) -1 && t > now) {
        g_autofree char *when = virNetTLSFormatTime(t);

        virReportError(VIR_ERR_SYSTEM_ERROR, "the %s '%s' is not active until %s",
                       what, path, when);
        return -1;
    }
    return 0;
}

/* Our own certificate and the CA's, checked before anyone connects: a
 * mistake here would otherwise show up as every peer refusing us. */
static int
virNetTLSSanityCheck(bool isServer, const virNetTLSFiles *files)
{
    const char *certWhat = isServer ? "server certificate" : "client certificate";
    const char *purpose = isServer ? GNUTLS_KP_TLS_WWW_SERVER : GNUTLS_KP_TLS_WWW_CLIENT;
    gnutls_x509_crt_t *cas = NULL;
    gnutls_x509_crt_t *certs = NULL;
    int ncas;
    int ncerts = 0;
    unsigned int critical;
    unsigned int status = 0;
    int ret = -1;
    int i;

    if ((ncas = virNetTLSLoadCerts("CA certificate", files->cacert, &cas)) < 0)
        return -1;
    if ((ncerts = virNetTLSLoadCerts(certWhat, files->cert, &certs)) < 0)
        goto cleanup;

    for (i = 0; i < ncas; i++) {
        if (virNetTLSCheckDates(cas[i], "CA certificate", files->cacert) < 0)
            goto cleanup;
        if (gnutls_x509_crt_get_ca_status(cas[i], &critical) <= 0) {
            virReportError(VIR_ERR_SYSTEM_ERROR,
                           "the CA certificate '%s' is not a CA certificate (basic constraints ca=false)",
                           files->cacert);
            goto cleanup;
        }
    }
    if (virNetTLSCheckDates(certs[0], certWhat, files->cert) < 0)
        goto cleanup;
    if (gnutls_x509_crt_get_ca_status(certs[0], &critical) > 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       "the %s '%s' is a CA certificate, not one for a TLS %s",
                       certWhat, files->cert, isServer ? "server" : "client");
        goto cleanup;
    }
    /* Key purposes, when the certificate has any, must include ours. */
    for (i = 0; ; i++) {
        char oid[256];
        size_t size = sizeof(oid);
        int rc = gnutls_x509_crt_get_key_purpose_oid(certs[0], i, oid, &size,
                                                     &critical);

        if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
            if (i > 0) {
                virReportError(VIR_ERR_SYSTEM_ERROR,
                               "the %s '%s' is not meant for a TLS %s (its key purposes lack %s)",
                               certWhat, files->cert,
                               isServer ? "server" : "client", purpose);
                goto cleanup;
            }
            break;
        }
        if (rc < 0) {
            virReportError(VIR_ERR_SYSTEM_ERROR,
                           "cannot read the key purposes of the %s '%s': %s",
                           certWhat, files->cert, gnutls_strerror(rc));
            goto cleanup;
        }
        if (strcmp(oid, purpose) == 0)
            break;
    }
    if (gnutls_x509_crt_list_verify(certs, ncerts, cas, ncas, NULL, 0, 0,
                                    &status) < 0 || status != 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       "the %s '%s' is not signed by the CA of '%s'",
                       certWhat, files->cert, files->cacert);
        goto cleanup;
    }
    ret = 0;

 cleanup:
    virNetTLSFreeCerts(cas, ncas);
    virNetTLSFreeCerts(certs, ncerts);
    return ret;
}

static int
virNetTLSCheckReadable(const char *what, const char *path)
{
    if (access(path, R_OK) < 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR, "cannot read the %s '%s': %s",
                       what, path, g_strerror(errno));
        return -1;
    }
    return 0;
}

virNetTLSContext *
virNetTLSContextNew(bool isServer, const virNetTLSFiles *files,
                    const char *const *dnList, bool sanityCheck,
                    bool requireValid, const char *priority)
{
    g_autoptr(virNetTLSContext) ctx = g_new0(virNetTLSContext, 1);
    const char *certWhat = isServer ? "server certificate" : "client certificate";
    const char *keyWhat = isServer ? "server key" : "client key";
    const char *errpos = NULL;
    int rc;

    ctx->refs = 1;
    ctx->isServer = isServer;
    ctx->requireValid = requireValid;
    ctx->cacert = g_strdup(files->cacert);
    if (dnList)
        ctx->dnList = g_strdupv((char **) dnList);
    if (!priority)
        priority = VIR_NET_TLS_PRIORITY;

    if ((rc = gnutls_priority_init(&ctx->priority, priority, &errpos)) < 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       "invalid TLS priority string '%s' (at '%s'): %s",
                       priority, errpos ? errpos : "", gnutls_strerror(rc));
        return NULL;
    }
    if ((rc = gnutls_certificate_allocate_credentials(&ctx->cred)) < 0) {
        virReportError(VIR_ERR_GNUTLS_ERROR, "cannot allocate TLS credentials: %s",
                       gnutls_strerror(rc));
        return NULL;
    }

    if (virNetTLSCheckReadable("CA certificate", files->cacert) < 0 ||
        virNetTLSCheckReadable(certWhat, files->cert) < 0 ||
        virNetTLSCheckReadable(keyWhat, files->key) < 0)
        return NULL;

    rc = gnutls_certificate_set_x509_trust_file(ctx->cred, files->cacert,
                                                GNUTLS_X509_FMT_PEM);
    if (rc <= 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       "the CA certificate '%s' holds no PEM certificate: %s",
                       files->cacert, rc < 0 ? gnutls_strerror(rc) : "none found");
        return NULL;
    }
    /* The revocation list is optional: a missing file is none. */
    if (files->cacrl && access(files->cacrl, F_OK) == 0) {
        if (virNetTLSCheckReadable("CA revocation list", files->cacrl) < 0)
            return NULL;
        rc = gnutls_certificate_set_x509_crl_file(ctx->cred, files->cacrl,
                                                  GNUTLS_X509_FMT_PEM);
        if (rc < 0) {
            virReportError(VIR_ERR_SYSTEM_ERROR,
                           "cannot load the CA revocation list '%s': %s",
                           files->cacrl, gnutls_strerror(rc));
            return NULL;
        }
    }
    rc = gnutls_certificate_set_x509_key_file(ctx->cred, files->cert, files->key,
                                              GNUTLS_X509_FMT_PEM);
    if (rc == GNUTLS_E_CERTIFICATE_KEY_MISMATCH) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       "the %s '%s' does not match the %s '%s'",
                       keyWhat, files->key, certWhat, files->cert);
        return NULL;
    }
    if (rc < 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       "cannot load the %s '%s' with the %s '%s': %s",
                       certWhat, files->cert, keyWhat, files->key,
                       gnutls_strerror(rc));
        return NULL;
    }
    if (sanityCheck && virNetTLSSanityCheck(isServer, files) < 0)
        return NULL;

    VIR_DEBUG("TLS %s context: CA '%s', certificate '%s', key '%s', priority '%s'",
              isServer ? "server" : "client", files->cacert, files->cert,
              files->key, priority);
    return g_steal_pointer(&ctx);
}

virNetTLSContext *
virNetTLSContextRef(virNetTLSContext *ctx)
{
    g_atomic_int_inc(&ctx->refs);
    return ctx;
}

void
virNetTLSContextUnref(virNetTLSContext *ctx)
{
    if (!ctx || !g_atomic_int_dec_and_test(&ctx->refs))
        return;
    if (ctx->cred)
        gnutls_certificate_free_credentials(ctx->cred);
    if (ctx->priority)
        gnutls_priority_deinit(ctx->priority);
    g_strfreev(ctx->dnList);
    g_free(ctx->cacert);
    g_free(ctx);
}

/* GnuTLS's transport: send() without SIGPIPE (a peer that went away is
 * an error of this connection, not a signal for the whole program). */
static ssize_t
virNetTLSPush(gnutls_transport_ptr_t opaque, const void *buf, size_t len)
{
    virNetTLSSession *sess = opaque;
    ssize_t n = send(sess->fd, buf, len, MSG_NOSIGNAL);

    if (n < 0)
        gnutls_transport_set_errno(sess->session, errno);
    return n;
}

static ssize_t
virNetTLSPull(gnutls_transport_ptr_t opaque, void *buf, size_t len)
{
    virNetTLSSession *sess = opaque;
    ssize_t n = recv(sess->fd, buf, len, 0);

    if (n < 0)
        gnutls_transport_set_errno(sess->session, errno);
    return n;
}

static int
virNetTLSPullTimeout(gnutls_transport_ptr_t opaque, unsigned int ms)
{
    virNetTLSSession *sess = opaque;
    struct pollfd pfd = { .fd = sess->fd, .events = POLLIN };

    return poll(&pfd, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int) ms);
}

virNetTLSSession *
virNetTLSSessionNew(virNetTLSContext *ctx, int fd, const char *hostname)
{
    g_autoptr(virNetTLSSession) sess = g_new0(virNetTLSSession, 1);
    int rc;

    sess->fd = fd;
    sess->hostname = g_strdup(hostname);
    rc = gnutls_init(&sess->session,
                     (ctx->isServer ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK);
    if (rc < 0) {
        virReportError(VIR_ERR_GNUTLS_ERROR, "cannot start a TLS session: %s",
                       gnutls_strerror(rc));
        return NULL;
    }
    sess->ctx = virNetTLSContextRef(ctx);
    if ((rc = gnutls_priority_set(sess->session, ctx->priority)) < 0 ||
        (rc = gnutls_credentials_set(sess->session, GNUTLS_CRD_CERTIFICATE,
                                     ctx->cred)) < 0) {
        virReportError(VIR_ERR_GNUTLS_ERROR, "cannot set up a TLS session: %s",
                       gnutls_strerror(rc));
        return NULL;
    }
    /* The client's certificate is asked for, and checked by us after the
     * handshake, so that a refusal says why (GnuTLS's own would not). */
    if (ctx->isServer) {
        gnutls_certificate_server_set_request(sess->session, GNUTLS_CERT_REQUEST);
        /* Without the list of our CAs a client sends the certificate it
         * has even if another CA signed it, and the log can say so
         * rather than "no certificate". */
        gnutls_certificate_send_x509_rdn_sequence(sess->session, 1);
    }
    /* Our own timers bound the handshake (the server's handshake
     * timeout, the client's connect timeout). */
    gnutls_handshake_set_timeout(sess->session, 0);
    gnutls_transport_set_ptr(sess->session, sess);
    gnutls_transport_set_push_function(sess->session, virNetTLSPush);
    gnutls_transport_set_pull_function(sess->session, virNetTLSPull);
    gnutls_transport_set_pull_timeout_function(sess->session, virNetTLSPullTimeout);
    return g_steal_pointer(&sess);
}

void
virNetTLSSessionFree(virNetTLSSession *sess)
{
    if (!sess)
        return;
    if (sess->session)
        gnutls_deinit(sess->session);
    virNetTLSContextUnref(sess->ctx);
    g_free(sess->hostname);
    g_free(sess);
}

int
virNetTLSSessionHandshake(virNetTLSSession *sess, const char *peer)
{
    int rc = gnutls_handshake(sess->session);

    if (rc == 0)
        return 1;
    if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED)
        return 0;
    if (rc == GNUTLS_E_WARNING_ALERT_RECEIVED || rc == GNUTLS_E_FATAL_ALERT_RECEIVED) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       "TLS handshake with '%s' failed: the peer sent the alert '%s'",
                       peer, gnutls_alert_get_name(gnutls_alert_get(sess->session)));
    } else if (rc == GNUTLS_E_PREMATURE_TERMINATION || rc == GNUTLS_E_PUSH_ERROR ||
               rc == GNUTLS_E_PULL_ERROR) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       "TLS handshake with '%s' failed: the peer closed the connection (%s)",
                       peer, gnutls_strerror(rc));
    } else {
        virReportError(VIR_ERR_AUTH_FAILED, "TLS handshake with '%s' failed: %s",
                       peer, gnutls_strerror(rc));
    }
    return -1;
}

GIOCondition
virNetTLSSessionWants(virNetTLSSession *sess)
{
    return gnutls_record_get_direction(sess->session) ? G_IO_OUT : G_IO_IN;
}

/* Is @dn matched by a pattern of @list (fnmatch-like globs)? */
static bool
virNetTLSDNAllowed(char **list, const char *dn)
{
    for (size_t i = 0; list[i]; i++) {
        if (g_pattern_match_simple(list[i], dn))
            return true;
    }
    return false;
}

/* The first failed check of @crt (the peer's own certificate, @status
 * GnuTLS's verdict on its chain), reported; -1, or 0 if all pass. */
static int
virNetTLSSessionCheckCert(virNetTLSSession *sess, gnutls_x509_crt_t crt,
                          unsigned int status, const char *peer, const char *dn)
{
    virNetTLSContext *ctx = sess->ctx;
    const char *which = ctx->isServer ? "client" : "server";
    time_t now = time(NULL);
    time_t t;

    if (status & GNUTLS_CERT_REVOKED) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       "the %s certificate of '%s' (%s) has been revoked",
                       which, peer, dn);
        return -1;
    }
    if ((t = gnutls_x509_crt_get_expiration_time(crt)) != (time_t) -1 && t < now) {
        g_autofree char *when = virNetTLSFormatTime(t);

        virReportError(VIR_ERR_AUTH_FAILED,
                       "the %s certificate of '%s' (%s) expired on %s",
                       which, peer, dn, when);
        return -1;
    }
    if ((t = gnutls_x509_crt_get_activation_time(crt)) != (time_t) -1 && t > now) {
        g_autofree char *when = virNetTLSFormatTime(t);

        virReportError(VIR_ERR_AUTH_FAILED,
                       "the %s certificate of '%s' (%s) is not active until %s",
                       which, peer, dn, when);
        return -1;
    }
    if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA)) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       "the %s certificate of '%s' (%s) is not signed by a trusted CA (CA file '%s')",
                       which, peer, dn, ctx->cacert);
        return -1;
    }
    if (status & GNUTLS_CERT_INSECURE_ALGORITHM) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       "the %s certificate of '%s' (%s) uses an insecure algorithm",
                       which, peer, dn);
        return -1;
    }
    if (status & (GNUTLS_CERT_EXPIRED | GNUTLS_CERT_NOT_ACTIVATED)) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       "the certificate chain of the %s '%s' (%s) holds a CA certificate that is expired or not yet active",
                       which, peer, dn);
        return -1;
    }
    if (status != 0) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       "the %s certificate of '%s' (%s) is not valid against the CA file '%s' (GnuTLS status 0x%x)",
                       which, peer, dn, ctx->cacert, status);
        return -1;
    }
    if (!ctx->isServer && sess->hostname &&
        !gnutls_x509_crt_check_hostname(crt, sess->hostname)) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       "the server certificate of '%s' (%s) does not match host name '%s'",
                       peer, dn, sess->hostname);
        return -1;
    }
    if (ctx->isServer && ctx->dnList && !virNetTLSDNAllowed(ctx->dnList, dn)) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       "the client certificate of '%s': Distinguished Name '%s' is not on tls_allowed_dn_list",
                       peer, dn);
        return -1;
    }
    return 0;
}

int
virNetTLSSessionCheckPeer(virNetTLSSession *sess, const char *peer, char **dnOut)
{
    virNetTLSContext *ctx = sess->ctx;
    const char *which = ctx->isServer ? "client" : "server";
    const gnutls_datum_t *certs;
    unsigned int ncerts = 0;
    unsigned int status = 0;
    gnutls_x509_crt_t crt = NULL;
    g_autofree char *dn = NULL;
    int rc;
    int ret = -1;

    if (dnOut)
        *dnOut = NULL;
    if (gnutls_certificate_type_get(sess->session) != GNUTLS_CRT_X509 ||
        !(certs = gnutls_certificate_get_peers(sess->session, &ncerts)) ||
        ncerts == 0) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       "the %s '%s' sent no x509 certificate", which, peer);
        goto done;
    }
    if ((rc = gnutls_certificate_verify_peers2(sess->session, &status)) < 0) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       "cannot verify the %s certificate of '%s': %s",
                       which, peer, gnutls_strerror(rc));
        goto done;
    }
    if (gnutls_x509_crt_init(&crt) < 0 ||
        gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) < 0) {
        virReportError(VIR_ERR_AUTH_FAILED,
                       "the %s certificate of '%s' cannot be read", which, peer);
        goto done;
    }
    dn = virNetTLSCertDN(crt);
    ret = virNetTLSSessionCheckCert(sess, crt, status, peer, dn);

 done:
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (ret < 0 && !ctx->requireValid) {
        VIR_WARN("accepting the %s '%s' without a valid certificate (%s): %s",
                 which, peer,
                 ctx->isServer ? "tls_no_verify_certificate" : "no_verify",
                 virGetLastErrorMessage());
        virResetLastError();
        ret = 0;
    }
    if (dnOut)
        *dnOut = g_steal_pointer(&dn);
    return ret;
}

/* errno for a failed record call, *@why set for EIO. */
static ssize_t
virNetTLSRecordError(ssize_t rc, const char **why)
{
    switch (rc) {
    case GNUTLS_E_AGAIN:
    case GNUTLS_E_INTERRUPTED:
        errno = EAGAIN;
        break;
    case GNUTLS_E_PREMATURE_TERMINATION:
    case GNUTLS_E_PUSH_ERROR:
    case GNUTLS_E_PULL_ERROR:
        errno = ECONNRESET;
        break;
    default:
        if (why)
            *why = gnutls_strerror(rc);
        errno = EIO;
        break;
    }
    return -1;
}

ssize_t
virNetTLSSessionSend(virNetTLSSession *sess, const void *buf, size_t len,
                     const char **why)
{
    ssize_t rc = gnutls_record_send(sess->session, buf, len);

    return rc >= 0 ? rc : virNetTLSRecordError(rc, why);
}

ssize_t
virNetTLSSessionRecv(virNetTLSSession *sess, void *buf, size_t len,
                     const char **why)
{
    ssize_t rc = gnutls_record_recv(sess->session, buf, len);

    return rc >= 0 ? rc : virNetTLSRecordError(rc, why);
}

size_t
virNetTLSSessionPending(virNetTLSSession *sess)
{
    return gnutls_record_check_pending(sess->session);
}
