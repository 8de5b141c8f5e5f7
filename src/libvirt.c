/*
 * libvirt.c: the public entry points for the library and its connections:
 * initialisation, opening (the registered connection driver that accepts
 * the URI), the terminal's default authentication, references, errors.
 * Domain calls are in libvirt-domain.c, QEMU-specific ones in
 * libvirt-qemu.c. No driver is named here: see driver-builtin.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "datatypes.h"
#include "driver.h"
#include "libvirt_access.h"
#include "libvirt_internal.h"
#include "util/virerror.h"
#include "util/virlog.h"

#define VIR_FROM_THIS VIR_FROM_NONE

#define VIR_DEFAULT_URI "qemu:///system"

void
virDispatchError(virConnectPtr conn)
{
    virErrorPtr err = virErrorGetCurrent();

    if (!err) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       "an error occurred, but the cause is unknown");
        err = virErrorGetCurrent();
    }
    if (conn && virConnectIsValid(conn)) {
        g_mutex_lock(&conn->lock);
        virErrorCopy(err, &conn->err);
        g_mutex_unlock(&conn->lock);
    }
}

/* ------------------------------------------------------------------ */
/* Read-only connections                                                */

static gpointer
virAPIAccessIndexOnce(gpointer data G_GNUC_UNUSED)
{
    GHashTable *index = g_hash_table_new(g_str_hash, g_str_equal);

    for (size_t i = 0; i < G_N_ELEMENTS(virAPIAccessTable); i++)
        g_hash_table_insert(index, (gpointer) virAPIAccessTable[i].name,
                            (gpointer) &virAPIAccessTable[i]);
    return index;
}

int
virAPICheckAccess(virConnectPtr conn, const char *func, unsigned int flags)
{
    static GOnce once = G_ONCE_INIT;
    const virAPIAccessEntry *entry;

    g_once(&once, virAPIAccessIndexOnce, NULL);
    if (!(entry = g_hash_table_lookup(once.retval, func))) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       "public function '%s' has no read-only classification "
                       "(add it to src/libvirt_access.h)", func);
        return -1;
    }
    if (!(conn->flags & VIR_CONNECT_RO))
        return 0;
    if (entry->access == VIR_API_ACCESS_WRITE) {
        virReportError(VIR_ERR_OPERATION_DENIED, "%s",
                       "this function is not supported on a read-only connection");
        return -1;
    }
    if (flags & entry->writeFlags) {
        virReportError(VIR_ERR_OPERATION_DENIED,
                       "%s with flags 0x%x is not supported on a read-only connection",
                       func, flags & entry->writeFlags);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Initialisation                                                       */

static int virGlobalInitResult;

/*
 * One-time set-up, before the library starts threads of its own. GLib's
 * number parsing builds its C locale on first use; a thread that has to
 * wait for another one doing that may see errno set by the wait and take a
 * valid number for an error. Do the first use here, alone. Then the
 * drivers compiled in register themselves.
 */
static gpointer
virGlobalInitOnce(gpointer data G_GNUC_UNUSED)
{
    guint64 unused;

    g_ascii_string_to_unsigned("0", 10, 0, 1, &unused, NULL);
    if (virDriverRegisterBuiltin() < 0) {
        VIR_ERROR("registering the drivers failed: %s", virGetLastErrorMessage());
        virGlobalInitResult = -1;
    }
    return NULL;
}

/**
 * virInitialize:
 *
 * Set the library up. Every call that needs it does this itself; calling
 * it first is only useful to learn early that the environment is bad.
 *
 * Returns 0, or -1 with an error (VIR_ERR_INVALID_ARG if LIBVIRT_DEBUG is
 * set to something that is not a log level); the same error comes back
 * on every later call.
 */
int
virInitialize(void)
{
    static GOnce once = G_ONCE_INIT;

    if (virLogInitialize() < 0)
        return -1;
    g_once(&once, virGlobalInitOnce, NULL);
    if (virGlobalInitResult < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       "the library's drivers could not be registered");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Authentication on the terminal                                       */

static int virConnectCredTypeDefault[] = {
    VIR_CRED_USERNAME,
    VIR_CRED_AUTHNAME,
    VIR_CRED_LANGUAGE,
    VIR_CRED_CNONCE,
    VIR_CRED_PASSPHRASE,
    VIR_CRED_ECHOPROMPT,
    VIR_CRED_NOECHOPROMPT,
    VIR_CRED_REALM,
};

/*
 * One line from standard input, without its end of line; with @echo
 * false and a terminal there, the terminal does not show what is typed
 * (and is given back as it was). NULL at the end of the input.
 */
static char *
virConnectAuthReadLine(const virConnectCredential *cred, bool echo)
{
    struct termios saved;
    bool restore = false;
    char *line = NULL;
    size_t size = 0;
    ssize_t len;

    /* Echo goes off before the prompt shows: an answer typed as soon as
     * the prompt appears must be neither shown nor lost (TCSAFLUSH after
     * the prompt would throw it away, and the read would then wait for
     * ever). */
    if (!echo && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
        struct termios quiet = saved;

        quiet.c_lflag &= ~ECHO;
        /* Echo of the end of line stays: the next prompt starts a line. */
        quiet.c_lflag |= ECHONL;
        restore = tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0;
    }
    fputs(cred->prompt ? cred->prompt : "Answer", stdout);
    if (cred->defresult)
        printf(" [%s]", cred->defresult);
    fputs(": ", stdout);
    fflush(stdout);
    len = getline(&line, &size, stdin);
    if (restore)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    if (len < 0) {
        free(line);
        return NULL;
    }
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    return line;
}

/*
 * The callback of virConnectAuthPtrDefault: each credential's prompt on
 * standard output ("Prompt [default]: "), its answer read from standard
 * input, not shown for a passphrase or NOECHOPROMPT. An empty answer takes
 * the default. Returns 0, or -1 (VIR_ERR_AUTH_CANCELLED) if the input
 * ends first or a credential is of a type it cannot ask for.
 */
static int
virConnectAuthCallbackDefault(virConnectCredentialPtr cred, unsigned int ncred,
                              void *cbdata G_GNUC_UNUSED)
{
    for (unsigned int i = 0; i < ncred; i++) {
        bool echo = true;
        char *answer;

        switch ((virConnectCredentialType) cred[i].type) {
        case VIR_CRED_USERNAME:
        case VIR_CRED_AUTHNAME:
        case VIR_CRED_LANGUAGE:
        case VIR_CRED_CNONCE:
        case VIR_CRED_ECHOPROMPT:
        case VIR_CRED_REALM:
            break;
        case VIR_CRED_PASSPHRASE:
        case VIR_CRED_NOECHOPROMPT:
            echo = false;
            break;
        case VIR_CRED_EXTERNAL:
        case VIR_CRED_LAST:
        default:
            virReportError(VIR_ERR_AUTH_CANCELLED,
                           "the terminal cannot provide credential type %d", cred[i].type);
            return -1;
        }
        if (!(answer = virConnectAuthReadLine(&cred[i], echo))) {
            virReportError(VIR_ERR_AUTH_CANCELLED,
                           "no answer to '%s': the input ended",
                           cred[i].prompt ? cred[i].prompt : "Answer");
            return -1;
        }
        if (!*answer && cred[i].defresult) {
            free(answer);
            answer = strdup(cred[i].defresult);
        }
        /* The caller frees results with free(), as libvirt's callers do. */
        cred[i].result = answer;
        cred[i].resultlen = answer ? strlen(answer) : 0;
    }
    return 0;
}

static virConnectAuth virConnectAuthDefault = {
    .credtype = virConnectCredTypeDefault,
    .ncredtype = G_N_ELEMENTS(virConnectCredTypeDefault),
    .cb = virConnectAuthCallbackDefault,
    .cbdata = NULL,
};

virConnectAuthPtr virConnectAuthPtrDefault = &virConnectAuthDefault;

/* ------------------------------------------------------------------ */
/* Connections                                                          */

/* The error of a URI no driver accepts: what this build can open. */
static void
virConnectReportNoDriver(const char *name)
{
    g_autoptr(GString) help = g_string_new(NULL);
    virConnectDriver *drv;

    for (size_t i = 0; (drv = virConnectDriverGet(i)); i++) {
        if (!drv->uriHelp)
            continue;
        g_string_append_printf(help, "%s%s", help->len ? ", " : "", drv->uriHelp);
    }
    virRaiseErrorFull(__FILE__, __func__, __LINE__, VIR_FROM_NONE,
                      VIR_ERR_NO_CONNECT, VIR_ERR_ERROR,
                      "no connection driver available for '%s' (this build "
                      "supports %s)", name, help->len ? help->str : "no URI");
}

/*
 * An embed URI: when an embeddable driver claims its scheme, this process
 * hosts the states of the root, and the connection holds them. The
 * connection's URI becomes the canonical one (the resolved root, escaped
 * so that it opens the same root again). Returns 0 (also when no driver
 * claims it: nothing is hosted then) or -1.
 */
static int
virConnectOpenEmbed(virConnectPtr conn, GUri *uri)
{
    g_autofree char *root = NULL;
    g_autofree char *escaped = NULL;
    virConnectDriver *drv;
    size_t i;

    for (i = 0; (drv = virConnectDriverGet(i)); i++) {
        if (virConnectDriverClaims(drv, uri, true))
            break;
    }
    if (!drv)
        return 0;
    if (!(root = virStateEmbedRoot(uri)) || virStateEmbedHold(root) < 0)
        return -1;
    escaped = g_uri_escape_string(root, "/", FALSE);
    g_free(conn->uri);
    conn->uri = g_strdup_printf("%s:///embed?root=%s", g_uri_get_scheme(uri), escaped);
    conn->embedRoot = g_steal_pointer(&root);
    return 0;
}

static virConnectPtr
virConnectOpenInternal(const char *name, virConnectAuthPtr auth,
                       unsigned int flags)
{
    g_autoptr(GUri) uri = NULL;
    g_autoptr(GError) gerr = NULL;
    virConnectPtr conn = NULL;
    virConnectDriver *drv;
    virErrorPtr saved = NULL;
    bool embed;

    if (virInitialize() < 0)
        return NULL;
    if (!name || !*name) {
        name = g_getenv("LIBVIRT_DEFAULT_URI");
        if (!name || !*name)
            name = VIR_DEFAULT_URI;
    }
    VIR_DEBUG("opening '%s' flags=0x%x", name, flags);

    if (!(uri = g_uri_parse(name, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS,
                            &gerr))) {
        virRaiseErrorFull(__FILE__, __func__, __LINE__, VIR_FROM_URI,
                          VIR_ERR_INVALID_ARG, VIR_ERR_ERROR,
                          "cannot parse connection URI '%s': %s", name,
                          gerr->message);
        return NULL;
    }

    conn = virGetConnect();
    conn->flags = flags & VIR_CONNECT_RO;
    conn->uri = g_strdup(name);
    embed = virURIIsEmbed(uri);
    if (embed && virConnectOpenEmbed(conn, uri) < 0)
        goto error;

    for (size_t i = 0; (drv = virConnectDriverGet(i)); i++) {
        virDrvOpenStatus st;

        if (!virConnectDriverClaims(drv, uri, embed))
            continue;
        VIR_DEBUG("trying connection driver '%s'", drv->hypervisorDriver->name);
        conn->driver = drv->hypervisorDriver;
        st = conn->driver->connectOpen(conn, uri, auth, conn->flags);
        if (st == VIR_DRV_OPEN_SUCCESS)
            return conn;
        conn->driver = NULL;
        if (st == VIR_DRV_OPEN_ERROR)
            goto error;
    }
    virConnectReportNoDriver(name);

 error:
    /* Letting go of an embed root may stop its state: the error to keep
     * is the one that made the open fail. */
    virErrorPreserveLast(&saved);
    virObjectUnrefConnect(conn);
    virErrorRestore(&saved);
    return NULL;
}

/* The three opens: the failure kept for the caller. */
static virConnectPtr
virConnectOpenPublic(const char *name, virConnectAuthPtr auth,
                     unsigned int flags)
{
    virConnectPtr conn;

    if (!(conn = virConnectOpenInternal(name, auth, flags)))
        virDispatchError(NULL);
    return conn;
}

virConnectPtr
virConnectOpenAuth(const char *name, virConnectAuthPtr auth, unsigned int flags)
{
    VIR_DEBUG("name=%s auth=%p flags=0x%x", NULLSTR(name), auth, flags);
    virResetLastError();
    virCheckFlags(VIR_CONNECT_RO | VIR_CONNECT_NO_ALIASES, NULL);
    return virConnectOpenPublic(name, auth, flags);
}

virConnectPtr
virConnectOpen(const char *name)
{
    VIR_DEBUG("name=%s", NULLSTR(name));
    virResetLastError();
    return virConnectOpenPublic(name, NULL, 0);
}

virConnectPtr
virConnectOpenReadOnly(const char *name)
{
    VIR_DEBUG("name=%s", NULLSTR(name));
    virResetLastError();
    return virConnectOpenPublic(name, NULL, VIR_CONNECT_RO);
}

int
virConnectRef(virConnectPtr conn)
{
    VIR_DEBUG("conn=%p", conn);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    g_atomic_int_inc(&conn->refs);
    return 0;
}

int
virConnectClose(virConnectPtr conn)
{
    int left;

    VIR_DEBUG("conn=%p", conn);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    left = g_atomic_int_add(&conn->refs, 0) - 1;
    virObjectUnrefConnect(conn);
    return left;
}

char *
virConnectGetURI(virConnectPtr conn)
{
    char *ret;

    VIR_DEBUG("conn=%p", conn);
    virResetLastError();
    virCheckConnectReturn(conn, NULL);
    if (conn->driver->connectGetURI) {
        if (!(ret = conn->driver->connectGetURI(conn)))
            goto error;
        return ret;
    }
    return strdup(conn->uri);

 error:
    virDispatchError(conn);
    return NULL;
}

int
virConnectIsAlive(virConnectPtr conn)
{
    int ret;

    VIR_DEBUG("conn=%p", conn);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    if (!conn->driver->connectIsAlive)
        return 1;
    if ((ret = conn->driver->connectIsAlive(conn)) < 0)
        virDispatchError(conn);
    return ret;
}

const char *
virConnectGetType(virConnectPtr conn)
{
    const char *ret;

    VIR_DEBUG("conn=%p", conn);
    virResetLastError();
    virCheckConnectReturn(conn, NULL);
    if (conn->driver->connectGetType && (ret = conn->driver->connectGetType(conn)))
        return ret;
    return conn->driver->name;
}

char *
virConnectGetHostname(virConnectPtr conn)
{
    char *ret;

    VIR_DEBUG("conn=%p", conn);
    virResetLastError();
    virCheckConnectReturn(conn, NULL);
    if (!conn->driver->connectGetHostname) {
        virReportUnsupported();
        goto error;
    }
    if (!(ret = conn->driver->connectGetHostname(conn)))
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return NULL;
}

int
virConnectSetKeepAlive(virConnectPtr conn, int interval, unsigned int count)
{
    int ret;

    VIR_DEBUG("conn=%p interval=%d count=%u", conn, interval, count);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    /* libvirt's answer on a connection whose driver has no keepalive (all
     * of its local drivers): not supported, rather than 1, which is for a
     * remote peer that does not speak keepalive. */
    if (!conn->driver->connectSetKeepAlive) {
        virReportUnsupported();
        goto error;
    }
    if ((ret = conn->driver->connectSetKeepAlive(conn, interval, count)) < 0)
        goto error;
    return ret;

 error:
    virDispatchError(conn);
    return -1;
}

int
virConnectRegisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb,
                                void *opaque, virFreeCallback freecb)
{
    VIR_DEBUG("conn=%p cb=%p opaque=%p freecb=%p", conn, cb, opaque, freecb);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    virCheckNonNullArgGoto(cb, error);
    g_mutex_lock(&conn->lock);
    if (conn->closeCallback) {
        g_mutex_unlock(&conn->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       "a close callback is already registered on this connection");
        goto error;
    }
    conn->closeCallback = cb;
    conn->closeOpaque = opaque;
    conn->closeFreeCallback = freecb;
    /* As libvirt: the registration keeps the connection alive until it
     * is unregistered. */
    g_atomic_int_inc(&conn->refs);
    g_mutex_unlock(&conn->lock);
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

int
virConnectUnregisterCloseCallback(virConnectPtr conn, virConnectCloseFunc cb)
{
    virFreeCallback freecb;
    void *opaque;

    VIR_DEBUG("conn=%p cb=%p", conn, cb);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    virCheckNonNullArgGoto(cb, error);
    g_mutex_lock(&conn->lock);
    if (conn->closeCallback != cb) {
        g_mutex_unlock(&conn->lock);
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       conn->closeCallback ?
                       "a different close callback is registered on this connection" :
                       "no close callback is registered on this connection");
        goto error;
    }
    freecb = conn->closeFreeCallback;
    opaque = conn->closeOpaque;
    conn->closeCallback = NULL;
    conn->closeOpaque = NULL;
    conn->closeFreeCallback = NULL;
    g_mutex_unlock(&conn->lock);
    if (freecb)
        freecb(opaque);
    virObjectUnrefConnect(conn);
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

int
virGetVersion(unsigned long *libVer, const char *type G_GNUC_UNUSED,
              unsigned long *typeVer)
{
    virResetLastError();
    if (virInitialize() < 0) {
        virDispatchError(NULL);
        return -1;
    }
    if (libVer)
        *libVer = LIBVIR_VERSION_NUMBER;
    if (typeVer)
        *typeVer = LIBVIR_VERSION_NUMBER;
    return 0;
}

int
virConnectGetLibVersion(virConnectPtr conn, unsigned long *libVer)
{
    VIR_DEBUG("conn=%p libVer=%p", conn, libVer);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    virCheckNonNullArgGoto(libVer, error);
    *libVer = LIBVIR_VERSION_NUMBER;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

int
virConnectGetVersion(virConnectPtr conn, unsigned long *hvVer)
{
    VIR_DEBUG("conn=%p hvVer=%p", conn, hvVer);
    virResetLastError();
    virCheckConnectReturn(conn, -1);
    virCheckNonNullArgGoto(hvVer, error);
    if (!conn->driver->connectGetVersion) {
        virReportUnsupported();
        goto error;
    }
    if (conn->driver->connectGetVersion(conn, hvVer) < 0)
        goto error;
    return 0;

 error:
    virDispatchError(conn);
    return -1;
}

virErrorPtr
virConnGetLastError(virConnectPtr conn)
{
    if (!virConnectIsValid(conn))
        return NULL;
    return conn->err.code == VIR_ERR_OK ? NULL : &conn->err;
}

void
virConnResetLastError(virConnectPtr conn)
{
    if (!virConnectIsValid(conn))
        return;
    g_mutex_lock(&conn->lock);
    virResetError(&conn->err);
    g_mutex_unlock(&conn->lock);
}

int
virConnCopyLastError(virConnectPtr conn, virErrorPtr to)
{
    int ret;

    if (!virConnectIsValid(conn) || !to)
        return -1;
    g_mutex_lock(&conn->lock);
    if (conn->err.code == VIR_ERR_OK) {
        virResetError(to);
        ret = 0;
    } else {
        ret = virErrorCopy(&conn->err, to);
    }
    g_mutex_unlock(&conn->lock);
    return ret;
}
