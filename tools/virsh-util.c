/* virsh-util.c: finding the domain a command names and reading its XML. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "virsh-util.h"

#define VIR_FROM_THIS VIR_FROM_NONE

static bool
virshIsUUID(const char *str)
{
    size_t len = strlen(str);
    size_t i;

    if (len != VIR_UUID_STRING_BUFLEN - 1 && len != 2 * VIR_UUID_BUFLEN)
        return false;
    for (i = 0; i < len; i++) {
        if (!g_ascii_isxdigit(str[i]) && str[i] != '-')
            return false;
    }
    return true;
}

/**
 * virshLookupDomain:
 * @ctl: the shell, connected
 * @str: a domain's id, UUID or name
 *
 * Look a domain up as libvirt's virsh does: by id if @str is a number,
 * then by UUID if it looks like one, then by name.
 *
 * Returns a new domain handle, or NULL with an error printed.
 */
virDomainPtr
virshLookupDomain(vshControl *ctl, const char *str)
{
    virshControl *priv = ctl->privData;
    virDomainPtr dom = NULL;
    long long id;

    if (g_ascii_isdigit(*str) && vshParseNumber(str, 0, G_MAXINT, &id) == 0)
        dom = virDomainLookupByID(priv->conn, id);
    if (!dom && virshIsUUID(str))
        dom = virDomainLookupByUUIDString(priv->conn, str);
    if (!dom)
        dom = virDomainLookupByName(priv->conn, str);

    /* The failed attempts leave errors that say less than this. */
    vshResetLibvirtError(ctl);
    if (!dom)
        vshError(ctl, "failed to get domain '%s'", str);
    return dom;
}

/**
 * virshCommandOptDomain:
 * @ctl: the shell, connected
 * @cmd: a command with a "domain" option
 * @name: set to the option's value, or NULL
 *
 * Returns the domain named by the "domain" option, or NULL with an error
 * printed.
 */
virDomainPtr
virshCommandOptDomain(vshControl *ctl, const vshCmd *cmd, const char **name)
{
    const char *str = vshCommandOptString(cmd, "domain");

    if (name)
        *name = str;
    if (!str) {
        vshError(ctl, "a domain is required");
        return NULL;
    }
    return virshLookupDomain(ctl, str);
}

/**
 * virshDomainGetXML:
 * @ctl: the shell
 * @dom: a domain
 * @flags: virDomainXMLFlags for virDomainGetXMLDesc()
 * @doc: set to the parsed XML (free with xmlFreeDoc())
 * @ctxt: set to an XPath context on the <domain> element
 *
 * Returns 0 on success, -1 on error.
 */
int
virshDomainGetXML(vshControl *ctl, virDomainPtr dom, unsigned int flags,
                  xmlDocPtr *doc, xmlXPathContextPtr *ctxt)
{
    char *xml = virDomainGetXMLDesc(dom, flags);

    if (!xml)
        return -1;
    *doc = xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    free(xml);
    if (!*doc) {
        vshError(ctl, "failed to parse the XML of domain '%s'",
                 virDomainGetName(dom));
        return -1;
    }
    *ctxt = xmlXPathNewContext(*doc);
    (*ctxt)->node = xmlDocGetRootElement(*doc);
    return 0;
}

/**
 * virshXPathString:
 * @ctxt: an XPath context
 * @expr: an XPath expression, evaluated as with string()
 *
 * Returns the value (free with g_free()), or NULL if it is empty.
 */
char *
virshXPathString(xmlXPathContextPtr ctxt, const char *expr)
{
    g_autofree char *wrapped = g_strdup_printf("string(%s)", expr);
    g_autoptr(xmlXPathObject) obj = xmlXPathEval(BAD_CAST wrapped, ctxt);

    if (!obj || obj->type != XPATH_STRING || !obj->stringval ||
        !obj->stringval[0])
        return NULL;
    return g_strdup((const char *) obj->stringval);
}
