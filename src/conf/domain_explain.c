/*
 * domain_explain.c: the domain schema's structure as tables, to explain a
 * refusal of the RelaxNG validator by the first element or attribute at
 * fault and its line.
 */
#include <config.h>

#include <string.h>

#include "conf/domain_explain.h"
#include "util/virxml.h"

/*
 * libxml2's RelaxNG messages for content inside <interleave> (most of the
 * domain format) often carry no line and name only the enclosing element
 * ("Extra element devices in interleave"). When the schema refuses a
 * document, the tables below, which mirror the schema's structure, find
 * the first element or attribute at fault so that the error can name it
 * and its line. The schema stays the judge: this only explains.
 */

static const char *const virDomainSchemaVirtTypes[] = { "qemu", "kvm", NULL };
static const char *const virDomainSchemaFormats[] = { "raw", "qcow2", NULL };
static const char *const virDomainSchemaBuses[] = { "virtio", "ide", "sata", "scsi", NULL };
static const char *const virDomainSchemaActions[] = {
    "destroy", "restart", "preserve", "rename-restart", NULL,
};
static const char *const virDomainSchemaChrTypes[] = { "file", "null", NULL };
static const char *const virDomainSchemaFile[] = { "file", NULL };
static const char *const virDomainSchemaDisk[] = { "disk", NULL };
static const char *const virDomainSchemaQemu[] = { "qemu", NULL };
static const char *const virDomainSchemaStatic[] = { "static", NULL };
static const char *const virDomainSchemaArch[] = { "x86_64", NULL };
static const char *const virDomainSchemaHvm[] = { "hvm", NULL };

#define ATTR_END { NULL, 0, NULL, false }
#define LEAF(elname, txt, vals, req) \
    { .name = elname, .text = txt, .textValues = vals, .required = req }

static const virDomainSchemaAttr virDomainSchemaSizeAttrs[] = {
    { "unit", VIR_DOMAIN_SCHEMA_VALUE_ANY, NULL, false }, ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaVcpuAttrs[] = {
    { "placement", VIR_DOMAIN_SCHEMA_VALUE_ENUM, virDomainSchemaStatic, false }, ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaOSTypeAttrs[] = {
    { "arch", VIR_DOMAIN_SCHEMA_VALUE_ENUM, virDomainSchemaArch, false },
    { "machine", VIR_DOMAIN_SCHEMA_VALUE_NAME, NULL, false },
    ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaDriverAttrs[] = {
    { "name", VIR_DOMAIN_SCHEMA_VALUE_ENUM, virDomainSchemaQemu, false },
    { "type", VIR_DOMAIN_SCHEMA_VALUE_ENUM, virDomainSchemaFormats, false },
    ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaImageAttrs[] = {
    { "file", VIR_DOMAIN_SCHEMA_VALUE_ANY, NULL, true },
    { "index", VIR_DOMAIN_SCHEMA_VALUE_POSINT, NULL, false },
    ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaBackingAttrs[] = {
    { "type", VIR_DOMAIN_SCHEMA_VALUE_ENUM, virDomainSchemaFile, false },
    { "index", VIR_DOMAIN_SCHEMA_VALUE_POSINT, NULL, false },
    ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaFormatAttrs[] = {
    { "type", VIR_DOMAIN_SCHEMA_VALUE_ENUM, virDomainSchemaFormats, true }, ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaTargetAttrs[] = {
    { "dev", VIR_DOMAIN_SCHEMA_VALUE_DISKDEV, NULL, true },
    { "bus", VIR_DOMAIN_SCHEMA_VALUE_ENUM, virDomainSchemaBuses, false },
    ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaAliasAttrs[] = {
    { "name", VIR_DOMAIN_SCHEMA_VALUE_NAME, NULL, true }, ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaDiskAttrs[] = {
    { "type", VIR_DOMAIN_SCHEMA_VALUE_ENUM, virDomainSchemaFile, true },
    { "device", VIR_DOMAIN_SCHEMA_VALUE_ENUM, virDomainSchemaDisk, false },
    ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaChrAttrs[] = {
    { "type", VIR_DOMAIN_SCHEMA_VALUE_ENUM, virDomainSchemaChrTypes, true }, ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaChrSourceAttrs[] = {
    { "path", VIR_DOMAIN_SCHEMA_VALUE_ANY, NULL, true }, ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaChrTargetAttrs[] = {
    { "port", VIR_DOMAIN_SCHEMA_VALUE_UINT, NULL, false }, ATTR_END,
};
static const virDomainSchemaAttr virDomainSchemaDomainAttrs[] = {
    { "type", VIR_DOMAIN_SCHEMA_VALUE_ENUM, virDomainSchemaVirtTypes, true },
    { "id", VIR_DOMAIN_SCHEMA_VALUE_UINT, NULL, false },
    ATTR_END,
};

/* <backingStore> nests in itself. */
static const virDomainSchemaElem virDomainSchemaBackingStore;

static const virDomainSchemaElem virDomainSchemaImageSource = {
    .name = "source", .attrs = virDomainSchemaImageAttrs,
    .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY, .required = true,
};
/* Required in a non-empty <backingStore> only: see ExplainChoices. */
static const virDomainSchemaElem virDomainSchemaBackingSource = {
    .name = "source", .attrs = virDomainSchemaImageAttrs,
    .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY,
};
static const virDomainSchemaElem virDomainSchemaFormat = {
    .name = "format", .attrs = virDomainSchemaFormatAttrs,
    .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY,
};
static const virDomainSchemaElem *const virDomainSchemaBackingChildren[] = {
    &virDomainSchemaFormat, &virDomainSchemaBackingSource,
    &virDomainSchemaBackingStore, NULL,
};
static const virDomainSchemaElem virDomainSchemaBackingStore = {
    .name = "backingStore", .attrs = virDomainSchemaBackingAttrs,
    .children = virDomainSchemaBackingChildren, .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY,
};

static const virDomainSchemaElem virDomainSchemaDriver = {
    .name = "driver", .attrs = virDomainSchemaDriverAttrs,
    .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY,
};
static const virDomainSchemaElem virDomainSchemaTarget = {
    .name = "target", .attrs = virDomainSchemaTargetAttrs,
    .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY, .required = true,
};
static const virDomainSchemaElem virDomainSchemaReadonly =
    LEAF("readonly", VIR_DOMAIN_SCHEMA_VALUE_EMPTY, NULL, false);
static const virDomainSchemaElem virDomainSchemaAlias = {
    .name = "alias", .attrs = virDomainSchemaAliasAttrs,
    .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY,
};
static const virDomainSchemaElem *const virDomainSchemaDiskChildren[] = {
    &virDomainSchemaDriver, &virDomainSchemaImageSource,
    &virDomainSchemaBackingStore, &virDomainSchemaTarget,
    &virDomainSchemaReadonly, &virDomainSchemaAlias, NULL,
};
static const virDomainSchemaElem virDomainSchemaDiskElem = {
    .name = "disk", .attrs = virDomainSchemaDiskAttrs,
    .children = virDomainSchemaDiskChildren, .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY,
    .multiple = true,
};

static const virDomainSchemaElem virDomainSchemaChrSource = {
    .name = "source", .attrs = virDomainSchemaChrSourceAttrs,
    .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY,
};
static const virDomainSchemaElem virDomainSchemaChrTarget = {
    .name = "target", .attrs = virDomainSchemaChrTargetAttrs,
    .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY,
};
static const virDomainSchemaElem *const virDomainSchemaChrChildren[] = {
    &virDomainSchemaChrSource, &virDomainSchemaChrTarget, NULL,
};
static const virDomainSchemaElem virDomainSchemaSerial = {
    .name = "serial", .attrs = virDomainSchemaChrAttrs,
    .children = virDomainSchemaChrChildren, .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY,
    .multiple = true,
};
static const virDomainSchemaElem virDomainSchemaConsole = {
    .name = "console", .attrs = virDomainSchemaChrAttrs,
    .children = virDomainSchemaChrChildren, .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY,
    .multiple = true,
};

static const virDomainSchemaElem virDomainSchemaEmulator =
    LEAF("emulator", VIR_DOMAIN_SCHEMA_VALUE_ANY, NULL, false);
static const virDomainSchemaElem *const virDomainSchemaDevicesChildren[] = {
    &virDomainSchemaEmulator, &virDomainSchemaDiskElem,
    &virDomainSchemaSerial, &virDomainSchemaConsole, NULL,
};
static const virDomainSchemaElem virDomainSchemaDevices = {
    .name = "devices", .children = virDomainSchemaDevicesChildren,
    .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY,
};

static const virDomainSchemaElem virDomainSchemaOSType = {
    .name = "type", .attrs = virDomainSchemaOSTypeAttrs,
    .text = VIR_DOMAIN_SCHEMA_VALUE_ENUM, .textValues = virDomainSchemaHvm, .required = true,
};
static const virDomainSchemaElem *const virDomainSchemaOSChildren[] = {
    &virDomainSchemaOSType, NULL,
};
static const virDomainSchemaElem virDomainSchemaOS = {
    .name = "os", .children = virDomainSchemaOSChildren,
    .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY, .required = true,
};

static const virDomainSchemaElem virDomainSchemaName =
    LEAF("name", VIR_DOMAIN_SCHEMA_VALUE_ANY, NULL, true);
static const virDomainSchemaElem virDomainSchemaUUID =
    LEAF("uuid", VIR_DOMAIN_SCHEMA_VALUE_ANY, NULL, false);
static const virDomainSchemaElem virDomainSchemaTitle =
    LEAF("title", VIR_DOMAIN_SCHEMA_VALUE_ANY, NULL, false);
static const virDomainSchemaElem virDomainSchemaDescription =
    LEAF("description", VIR_DOMAIN_SCHEMA_VALUE_ANY, NULL, false);
static const virDomainSchemaElem virDomainSchemaMemory = {
    .name = "memory", .attrs = virDomainSchemaSizeAttrs,
    .text = VIR_DOMAIN_SCHEMA_VALUE_UINT, .required = true,
};
static const virDomainSchemaElem virDomainSchemaCurMemory = {
    .name = "currentMemory", .attrs = virDomainSchemaSizeAttrs,
    .text = VIR_DOMAIN_SCHEMA_VALUE_UINT,
};
static const virDomainSchemaElem virDomainSchemaVcpu = {
    .name = "vcpu", .attrs = virDomainSchemaVcpuAttrs, .text = VIR_DOMAIN_SCHEMA_VALUE_UINT,
};
static const virDomainSchemaElem virDomainSchemaOnPoweroff =
    LEAF("on_poweroff", VIR_DOMAIN_SCHEMA_VALUE_ENUM, virDomainSchemaActions, false);
static const virDomainSchemaElem virDomainSchemaOnReboot =
    LEAF("on_reboot", VIR_DOMAIN_SCHEMA_VALUE_ENUM, virDomainSchemaActions, false);
static const virDomainSchemaElem virDomainSchemaOnCrash =
    LEAF("on_crash", VIR_DOMAIN_SCHEMA_VALUE_ENUM, virDomainSchemaActions, false);

static const virDomainSchemaElem *const virDomainSchemaDomainChildren[] = {
    &virDomainSchemaName, &virDomainSchemaUUID, &virDomainSchemaTitle,
    &virDomainSchemaDescription, &virDomainSchemaMemory, &virDomainSchemaCurMemory,
    &virDomainSchemaVcpu, &virDomainSchemaOS, &virDomainSchemaOnPoweroff,
    &virDomainSchemaOnReboot, &virDomainSchemaOnCrash, &virDomainSchemaDevices,
    NULL,
};
static const virDomainSchemaElem virDomainSchemaDomain = {
    .name = "domain", .attrs = virDomainSchemaDomainAttrs,
    .children = virDomainSchemaDomainChildren, .text = VIR_DOMAIN_SCHEMA_VALUE_EMPTY,
    .required = true,
};

#undef ATTR_END
#undef LEAF

/* Does @value fit @kind? */
static bool
virDomainSchemaValueOK(virDomainSchemaValue kind, const char *const *values,
                       const char *value)
{
    g_autofree char *stripped = g_strstrip(g_strdup(value ? value : ""));
    const char *p;
    guint64 num;

    switch (kind) {
    case VIR_DOMAIN_SCHEMA_VALUE_ANY:
        return true;
    case VIR_DOMAIN_SCHEMA_VALUE_EMPTY:
        return stripped[0] == '\0';
    case VIR_DOMAIN_SCHEMA_VALUE_ENUM:
        return values && g_strv_contains(values, stripped);
    case VIR_DOMAIN_SCHEMA_VALUE_UINT:
    case VIR_DOMAIN_SCHEMA_VALUE_POSINT:
        return g_ascii_string_to_unsigned(stripped, 10,
                                          kind == VIR_DOMAIN_SCHEMA_VALUE_POSINT ? 1 : 0,
                                          G_MAXUINT64, &num, NULL);
    case VIR_DOMAIN_SCHEMA_VALUE_NAME:
        for (p = stripped; *p; p++) {
            if (!g_ascii_isalnum(*p) && !strchr("_.-", *p))
                return false;
        }
        return stripped[0] != '\0';
    case VIR_DOMAIN_SCHEMA_VALUE_DISKDEV:
        if (!g_str_has_prefix(stripped, "vd") && !g_str_has_prefix(stripped, "hd") &&
            !g_str_has_prefix(stripped, "sd"))
            return false;
        for (p = stripped + 2; *p; p++) {
            if (!g_ascii_islower(*p))
                return false;
        }
        return stripped[2] != '\0';
    case VIR_DOMAIN_SCHEMA_VALUE_LAST:
        break;
    }
    return false;
}

static char *
virDomainSchemaExpected(virDomainSchemaValue kind, const char *const *values)
{
    switch (kind) {
    case VIR_DOMAIN_SCHEMA_VALUE_ENUM: {
        g_autofree char *list = g_strjoinv("', '", (char **)values);

        return g_strdup_printf("expected '%s'", list);
    }
    case VIR_DOMAIN_SCHEMA_VALUE_UINT:
        return g_strdup("expected an unsigned integer");
    case VIR_DOMAIN_SCHEMA_VALUE_POSINT:
        return g_strdup("expected a positive integer");
    case VIR_DOMAIN_SCHEMA_VALUE_NAME:
        return g_strdup("expected letters, digits, '_', '.' or '-'");
    case VIR_DOMAIN_SCHEMA_VALUE_DISKDEV:
        return g_strdup("expected vdX, hdX or sdX");
    case VIR_DOMAIN_SCHEMA_VALUE_EMPTY:
        return g_strdup("expected no text");
    case VIR_DOMAIN_SCHEMA_VALUE_ANY:
    case VIR_DOMAIN_SCHEMA_VALUE_LAST:
        break;
    }
    return g_strdup("unexpected value");
}

static const virDomainSchemaElem *
virDomainSchemaFindChild(const virDomainSchemaElem *elem, const char *name)
{
    size_t i;

    for (i = 0; elem->children && elem->children[i]; i++) {
        if (strcmp(elem->children[i]->name, name) == 0)
            return elem->children[i];
    }
    return NULL;
}

/* Attributes of @node against @elem: the first fault, or NULL. */
static char *
virDomainSchemaExplainAttrs(xmlNode *node, const virDomainSchemaElem *elem)
{
    const virDomainSchemaAttr *attr;
    xmlAttr *prop;

    for (prop = node->properties; prop; prop = prop->next) {
        const char *pname = (const char *)prop->name;
        g_autofree char *value = NULL;

        for (attr = elem->attrs; attr && attr->name; attr++) {
            if (strcmp(attr->name, pname) == 0)
                break;
        }
        if (!attr || !attr->name || prop->ns) {
            return g_strdup_printf("unknown attribute '%s' of element '%s'",
                                   pname, elem->name);
        }
        value = virXMLPropString(node, pname);
        if (!virDomainSchemaValueOK(attr->kind, attr->values, value)) {
            g_autofree char *expected = virDomainSchemaExpected(attr->kind, attr->values);

            return g_strdup_printf("invalid value '%s' of attribute '%s' (%s)",
                                   value ? value : "", pname, expected);
        }
    }
    for (attr = elem->attrs; attr && attr->name; attr++) {
        if (attr->required && !xmlHasProp(node, (const xmlChar *)attr->name))
            return g_strdup_printf("missing attribute '%s'", attr->name);
    }
    return NULL;
}

/* The text of @node against @elem: the first fault, or NULL. */
static char *
virDomainSchemaExplainText(xmlNode *node, const virDomainSchemaElem *elem)
{
    GString *text = g_string_new(NULL);
    g_autofree char *str = NULL;
    xmlNode *child;

    for (child = node->children; child; child = child->next) {
        if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
            child->content)
            g_string_append(text, (const char *)child->content);
    }
    str = g_string_free(text, FALSE);

    if (elem->text == VIR_DOMAIN_SCHEMA_VALUE_EMPTY) {
        if (!virDomainSchemaValueOK(VIR_DOMAIN_SCHEMA_VALUE_EMPTY, NULL, str))
            return g_strdup_printf("element '%s' may not contain text", elem->name);
    } else if (!virDomainSchemaValueOK(elem->text, elem->textValues, str)) {
        g_autofree char *expected = virDomainSchemaExpected(elem->text, elem->textValues);

        return g_strdup_printf("invalid content '%s' (%s)", g_strstrip(str), expected);
    }
    return NULL;
}

/* The choices of the schema that the tables do not express. */
static char *
virDomainSchemaExplainChoices(xmlNode *node, const virDomainSchemaElem *elem)
{
    if (elem == &virDomainSchemaBackingStore &&
        (node->properties || virXMLNodeHasElements(node))) {
        if (!virXMLNodeGetChild(node, "format"))
            return g_strdup("missing element 'format' in a non-empty 'backingStore'");
        if (!virXMLNodeGetChild(node, "source"))
            return g_strdup("missing element 'source' in a non-empty 'backingStore'");
    }
    if (elem == &virDomainSchemaSerial || elem == &virDomainSchemaConsole) {
        g_autofree char *type = virXMLPropString(node, "type");
        bool hasSource = virXMLNodeGetChild(node, "source") != NULL;

        if (g_strcmp0(type, "file") == 0 && !hasSource)
            return g_strdup("missing element 'source' for type 'file'");
        if (g_strcmp0(type, "null") == 0 && hasSource)
            return g_strdup("element 'source' is not allowed for type 'null'");
    }
    return NULL;
}

/*
 * The first fault in @node, described by @elem, depth first: returns the
 * explanation and sets *where to the element at fault, or returns NULL.
 */
static char *
virDomainSchemaExplainElem(xmlNode *node, const virDomainSchemaElem *elem,
                           xmlNode **where)
{
    xmlNode *child;
    char *found;
    size_t i;

    *where = node;
    if ((found = virDomainSchemaExplainAttrs(node, elem)))
        return found;

    for (child = node->children; child; child = child->next) {
        const virDomainSchemaElem *celem;
        xmlNode *other;

        if (child->type != XML_ELEMENT_NODE)
            continue;
        celem = virDomainSchemaFindChild(elem, (const char *)child->name);
        if (!celem || child->ns) {
            *where = child;
            return g_strdup_printf("unknown element '%s' in element '%s'",
                                   (const char *)child->name, elem->name);
        }
        if (celem->multiple)
            continue;
        for (other = child->next; other; other = other->next) {
            if (virXMLNodeNameEqual(other, celem->name)) {
                *where = other;
                return g_strdup_printf("element '%s' may appear only once in element '%s'",
                                       celem->name, elem->name);
            }
        }
    }

    if ((found = virDomainSchemaExplainText(node, elem)) ||
        (found = virDomainSchemaExplainChoices(node, elem)))
        return found;

    for (i = 0; elem->children && elem->children[i]; i++) {
        if (elem->children[i]->required &&
            !virXMLNodeGetChild(node, elem->children[i]->name))
            return g_strdup_printf("missing element '%s'", elem->children[i]->name);
    }

    for (child = node->children; child; child = child->next) {
        const virDomainSchemaElem *celem;

        if (child->type != XML_ELEMENT_NODE)
            continue;
        celem = virDomainSchemaFindChild(elem, (const char *)child->name);
        if ((found = virDomainSchemaExplainElem(child, celem, where)))
            return found;
    }
    *where = node;
    return NULL;
}

/**
 * virDomainSchemaExplain:
 * @root: a <domain> element that the schema refused
 * @where: set to the element at fault
 *
 * Find the first fault in @root as the tables describe the schema, depth
 * first: an unknown or repeated element or attribute, a value out of its
 * type, missing text or a missing element or attribute.
 *
 * Returns the explanation ("unknown element 'cache' in element 'disk'"), a
 * new string, or NULL if the tables find no fault (the schema's own
 * messages are then all there is).
 */
char *
virDomainSchemaExplain(xmlNode *root, xmlNode **where)
{
    return virDomainSchemaExplainElem(root, &virDomainSchemaDomain, where);
}

/**
 * virDomainSchemaExplainTables:
 *
 * Returns the tables' <domain> element, from which all others are
 * reached: read-only, for a test that compares them with
 * docs/schemas/domain.rng.
 */
const virDomainSchemaElem *
virDomainSchemaExplainTables(void)
{
    return &virDomainSchemaDomain;
}
