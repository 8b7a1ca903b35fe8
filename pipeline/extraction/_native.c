/*
 * The page index's walk and py3langid's DFA walk in C: the same results as
 * pageindex._Walk and py3langid.langid.visit_counts, in a fraction of the time.
 *
 * No lexbor header is needed. selectolax's extension module exports lexbor's
 * functions, so they are looked up at run time (dlopen with RTLD_NOLOAD of the
 * already loaded module, then dlsym). The only fact about a struct this file
 * relies on is that a text node holds its character data as a lexbor_str_t
 * somewhere inside it; where is found at run time (probe_text_offset, from text
 * nodes whose bytes the caller knows) and the string is read through lexbor's
 * own accessors, as selectolax's `text_content` reads it. Tag ids are given by
 * the caller too (setup), from a document parsed in Python. Only the DOM node
 * type numbers (element 1, text 3) are written here: they are the standard's.
 *
 * Everything runs with the GIL held (the tree must not change under the walk),
 * nothing recurses (pages nest hundreds of thousands of levels deep), and every
 * size is checked before it is used.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <dlfcn.h>
#include <stdint.h>
#include <string.h>

#define NODE_ELEMENT 1
#define NODE_TEXT 3

/* Word-character classes, as pipeline/wordcount.py numbers them. */
#define C_OTHER 0
#define C_WORD 1
#define C_MARK 2
#define C_QUOTE 3
#define C_IDEOGRAPH 4

#define SPECIALS 4    /* -doctype, -text, -comment, -document */
#define PROBE_LIMIT 512 /* bytes into a text node searched for its data */

typedef void node_t;
typedef void attr_t;
typedef unsigned char lxb_char_t;

static struct {
    node_t *(*first_child)(node_t *);
    node_t *(*next)(node_t *);
    node_t *(*parent)(node_t *);
    int (*type)(node_t *);
    uintptr_t (*tag_id)(node_t *);
    const lxb_char_t *(*element_name)(node_t *, size_t *);
    attr_t *(*first_attribute)(node_t *);
    attr_t *(*next_attribute)(attr_t *);
    const lxb_char_t *(*attr_name)(attr_t *, size_t *);
    const lxb_char_t *(*attr_value)(attr_t *, size_t *);
    lxb_char_t *(*str_data)(void *);
    size_t (*str_length)(void *);
} lxb;

static int bound = 0;      /* the functions above are set */
static int configured = 0; /* setup() has run */
static unsigned char classes[0x10000];
static uintptr_t special_ids[SPECIALS];
static PyObject *special_names[SPECIALS]; /* owned */
static Py_ssize_t n_specials = 0;
static Py_ssize_t text_offset = -1;
static PyObject *empty_str = NULL; /* owned */

/* -- binding ------------------------------------------------------------------- */

static int
bind_one(void *handle, const char *name, void **slot)
{
    void *found = dlsym(handle, name);
    if (found == NULL) {
        PyErr_Format(PyExc_ImportError, "selectolax's module does not export %s", name);
        return -1;
    }
    *slot = found;
    return 0;
}

static PyObject *
native_bind(PyObject *self, PyObject *arg)
{
    PyObject *encoded;
    void *handle;

    if (!PyUnicode_FSConverter(arg, &encoded)) {
        return NULL;
    }
    /* Only a module Python already loaded: never load a library here. */
    handle = dlopen(PyBytes_AS_STRING(encoded), RTLD_NOW | RTLD_NOLOAD);
    Py_DECREF(encoded);
    if (handle == NULL) {
        const char *why = dlerror();
        PyErr_Format(PyExc_ImportError, "selectolax's module is not loaded: %s",
                     why ? why : "unknown");
        return NULL;
    }
    bound = 0;
    configured = 0;
#define BIND(field, symbol)                                   \
    if (bind_one(handle, symbol, (void **)&lxb.field) < 0) { \
        return NULL;                                          \
    }
    BIND(first_child, "lxb_dom_node_first_child_noi");
    BIND(next, "lxb_dom_node_next_noi");
    BIND(parent, "lxb_dom_node_parent_noi");
    BIND(type, "lxb_dom_node_type_noi");
    BIND(tag_id, "lxb_dom_node_tag_id_noi");
    BIND(element_name, "lxb_dom_element_qualified_name");
    BIND(first_attribute, "lxb_dom_element_first_attribute_noi");
    BIND(next_attribute, "lxb_dom_element_next_attribute_noi");
    BIND(attr_name, "lxb_dom_attr_qualified_name");
    BIND(attr_value, "lxb_dom_attr_value_noi");
    BIND(str_data, "lexbor_str_data_noi");
    BIND(str_length, "lexbor_str_length_noi");
#undef BIND
    /* The handle is kept: the module stays loaded as long as Python runs. */
    bound = 1;
    Py_RETURN_NONE;
}

static node_t *
node_of(PyObject *mem_id)
{
    size_t value = PyLong_AsSize_t(mem_id);
    if (value == (size_t)-1 && PyErr_Occurred()) {
        return NULL;
    }
    if (value == 0) {
        PyErr_SetString(PyExc_ValueError, "a node's mem_id is not 0");
        return NULL;
    }
    return (node_t *)(uintptr_t)value;
}

static int
check_bound(void)
{
    if (!bound) {
        PyErr_SetString(PyExc_RuntimeError, "_native.bind() has not succeeded");
        return -1;
    }
    return 0;
}

static PyObject *
native_tag_id(PyObject *self, PyObject *arg)
{
    node_t *node;
    if (check_bound() < 0 || (node = node_of(arg)) == NULL) {
        return NULL;
    }
    return PyLong_FromSize_t((size_t)lxb.tag_id(node));
}

static PyObject *
native_node_type(PyObject *self, PyObject *arg)
{
    node_t *node;
    if (check_bound() < 0 || (node = node_of(arg)) == NULL) {
        return NULL;
    }
    return PyLong_FromLong((long)lxb.type(node));
}

static PyObject *
native_parent(PyObject *self, PyObject *arg)
{
    node_t *node;
    if (check_bound() < 0 || (node = node_of(arg)) == NULL) {
        return NULL;
    }
    return PyLong_FromSize_t((size_t)(uintptr_t)lxb.parent(node));
}

/* probe_text_offset([(mem_id, utf8 bytes), ...]): where a text node keeps its data.

   Each probe is a text node of a known, distinct and unusual length. An offset
   qualifies when the length read there matches for every probe (so no pointer is
   followed on a chance match); the data are then compared byte for byte. The
   search stops at the first match, so it reads no further into a node than the
   field itself. */
static PyObject *
native_probe_text_offset(PyObject *self, PyObject *probes)
{
    Py_ssize_t count, i, offset;
    PyObject *fast;

    if (check_bound() < 0) {
        return NULL;
    }
    fast = PySequence_Fast(probes, "probes must be a sequence");
    if (fast == NULL) {
        return NULL;
    }
    count = PySequence_Fast_GET_SIZE(fast);
    if (count < 2) {
        Py_DECREF(fast);
        PyErr_SetString(PyExc_ValueError, "at least two probes are needed");
        return NULL;
    }
    for (i = 0; i < count; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(fast, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2 ||
            !PyBytes_Check(PyTuple_GET_ITEM(item, 1)) ||
            PyBytes_GET_SIZE(PyTuple_GET_ITEM(item, 1)) < 64) {
            Py_DECREF(fast);
            PyErr_SetString(PyExc_TypeError,
                            "a probe is (mem_id, bytes of 64 or more)");
            return NULL;
        }
        if (node_of(PyTuple_GET_ITEM(item, 0)) == NULL) {
            Py_DECREF(fast);
            return NULL;
        }
    }
    for (offset = 0; offset + (Py_ssize_t)(2 * sizeof(void *)) <= PROBE_LIMIT;
         offset += (Py_ssize_t)sizeof(void *)) {
        int lengths = 1, data = 1;
        for (i = 0; i < count && lengths; i++) {
            PyObject *item = PySequence_Fast_GET_ITEM(fast, i);
            char *node = (char *)node_of(PyTuple_GET_ITEM(item, 0));
            size_t want = (size_t)PyBytes_GET_SIZE(PyTuple_GET_ITEM(item, 1));
            lengths = lxb.str_length(node + offset) == want;
        }
        if (!lengths) {
            continue;
        }
        for (i = 0; i < count && data; i++) {
            PyObject *item = PySequence_Fast_GET_ITEM(fast, i);
            char *node = (char *)node_of(PyTuple_GET_ITEM(item, 0));
            PyObject *want = PyTuple_GET_ITEM(item, 1);
            const lxb_char_t *found = lxb.str_data(node + offset);
            data = found != NULL &&
                   memcmp(found, PyBytes_AS_STRING(want), (size_t)PyBytes_GET_SIZE(want)) == 0;
        }
        if (data) {
            Py_DECREF(fast);
            return PyLong_FromSsize_t(offset);
        }
    }
    Py_DECREF(fast);
    PyErr_SetString(PyExc_LookupError, "no text node layout matched the probes");
    return NULL;
}

/* setup(classes, specials, text_offset): the word classes of the BMP (65,536
   bytes), {tag id: name} of the nodes `.tag` names by id, and the offset found by
   probe_text_offset. */
static PyObject *
native_setup(PyObject *self, PyObject *args)
{
    Py_buffer table;
    PyObject *specials, *key, *value;
    Py_ssize_t offset, pos = 0, i;
    uintptr_t ids[SPECIALS];
    PyObject *names[SPECIALS];
    Py_ssize_t count = 0;

    if (!PyArg_ParseTuple(args, "y*O!n", &table, &PyDict_Type, &specials, &offset)) {
        return NULL;
    }
    if (check_bound() < 0) {
        PyBuffer_Release(&table);
        return NULL;
    }
    if (table.len != (Py_ssize_t)sizeof(classes)) {
        PyBuffer_Release(&table);
        PyErr_SetString(PyExc_ValueError, "the class table has 65,536 entries");
        return NULL;
    }
    if (offset < 0 || offset > PROBE_LIMIT) {
        PyBuffer_Release(&table);
        PyErr_SetString(PyExc_ValueError, "text offset out of range");
        return NULL;
    }
    if (PyDict_GET_SIZE(specials) > SPECIALS) {
        PyBuffer_Release(&table);
        PyErr_SetString(PyExc_ValueError, "at most four named tag ids");
        return NULL;
    }
    for (i = 0; i < (Py_ssize_t)sizeof(classes); i++) {
        unsigned char c = ((const unsigned char *)table.buf)[i];
        /* count_words skips leading whitespace as class OTHER */
        if (c > C_IDEOGRAPH || (Py_UNICODE_ISSPACE((Py_UCS4)i) && c != C_OTHER)) {
            PyBuffer_Release(&table);
            PyErr_Format(PyExc_ValueError, "class %d of U+%04zX is unexpected", c, i);
            return NULL;
        }
    }
    while (PyDict_Next(specials, &pos, &key, &value)) {
        size_t id = PyLong_AsSize_t(key);
        if (id == (size_t)-1 && PyErr_Occurred()) {
            PyBuffer_Release(&table);
            return NULL;
        }
        if (!PyUnicode_CheckExact(value)) {
            PyBuffer_Release(&table);
            PyErr_SetString(PyExc_TypeError, "tag names are str");
            return NULL;
        }
        ids[count] = (uintptr_t)id;
        names[count] = value;
        count++;
    }
    for (i = 0; i < count; i++) {
        Py_INCREF(names[i]);
    }
    for (i = 0; i < n_specials; i++) {
        Py_CLEAR(special_names[i]);
    }
    for (i = 0; i < count; i++) {
        special_ids[i] = ids[i];
        special_names[i] = names[i];
    }
    n_specials = count;
    memcpy(classes, table.buf, sizeof(classes));
    PyBuffer_Release(&table);
    text_offset = offset;
    configured = 1;
    Py_RETURN_NONE;
}

/* -- word counts ----------------------------------------------------------------- */

static inline unsigned char
class_of(Py_UCS4 ch)
{
    if (ch < 0x10000) {
        return classes[ch];
    }
    if (ch >= 0x20000 && ch <= 0x3134F) {
        return C_IDEOGRAPH;
    }
    /* What `re`'s \w is; astral code points are never in the mark class. */
    return (Py_UNICODE_ISALNUM(ch) || ch == '_') ? C_WORD : C_OTHER;
}

/* normalize.word_count(text), by the run/join/CJK rules of pipeline/wordcount.py:
   a run of word characters and marks counts once if it holds a word character
   (leading marks start no word); an apostrophe between such a run and a word
   character joins the next run to it ("don't" is one word); each ideograph is a
   word, and a separator. As an automaton over character classes:

       state     0 outside a run   1 in a run of marks only
                 2 in a run with a word character
                 3 right after an apostrophe that follows a state-2 run

   step[state][class] = next state << 1 | words added. */
static const unsigned char step[4][8] = {
    /*            OTHER   WORD        MARK    QUOTE   IDEOGRAPH */
    /* 0 */ {0 << 1, 2 << 1 | 1, 1 << 1, 0 << 1, 0 << 1 | 1},
    /* 1 */ {0 << 1, 2 << 1 | 1, 1 << 1, 0 << 1, 0 << 1 | 1},
    /* 2 */ {0 << 1, 2 << 1, 2 << 1, 3 << 1, 0 << 1 | 1},
    /* 3 */ {0 << 1, 2 << 1, 1 << 1, 0 << 1, 0 << 1 | 1},
};

/* Without combining marks the state is local: 2 is "the previous character is a
   word character", 3 "the previous one is an apostrophe and the one before it a
   word character". So a word starts at each word character preceded neither by
   one nor by such an apostrophe, and each ideograph is one more: a sum with no
   chain from one character to the next. The classes of a block of characters
   are looked up first, then summed in a loop the compiler vectorises. A text
   with a mark is counted again by the automaton. */
#define BLOCK 512

static Py_ssize_t
count_block(const unsigned char *cls, Py_ssize_t n, unsigned char *marks)
{
    /* cls[0], cls[1]: the two classes before the block; the block from cls[2]. */
    Py_ssize_t j, words = 0;
    unsigned char seen = 0;
    for (j = 2; j < n + 2; j++) {
        unsigned char c = cls[j], p1 = cls[j - 1], p2 = cls[j - 2];
        seen |= c == C_MARK;
        words += (c == C_IDEOGRAPH) |
                 ((c == C_WORD) & (p1 != C_WORD) & ((p1 != C_QUOTE) | (p2 != C_WORD)));
    }
    *marks |= seen;
    return words;
}

#define COUNT_LOOP(TYPE)                                                          \
    {                                                                             \
        const TYPE *chars = (const TYPE *)data;                                   \
        Py_ssize_t start, j, n;                                                   \
        unsigned char cls[BLOCK + 2], marks = 0;                                  \
        while (i < length && Py_UNICODE_ISSPACE(chars[i])) {                      \
            i++;                                                                  \
        }                                                                         \
        /* Whitespace is of class OTHER: counting starts in state 0 here. */     \
        *nonblank = i < length;                                                   \
        start = i;                                                                \
        cls[0] = cls[1] = C_OTHER;                                                \
        for (; i < length; i += n) {                                              \
            n = length - i < BLOCK ? length - i : BLOCK;                          \
            for (j = 0; j < n; j++) {                                             \
                cls[j + 2] = class_of(chars[i + j]);                              \
            }                                                                     \
            words += count_block(cls, n, &marks);                                 \
            /* the last two classes come before the next block */                 \
            cls[0] = cls[n];                                                      \
            cls[1] = cls[n + 1];                                                  \
        }                                                                         \
        if (marks) {                                                              \
            unsigned int state = 0;                                               \
            words = 0;                                                            \
            for (i = start; i < length; i++) {                                    \
                unsigned char next = step[state][class_of(chars[i])];             \
                words += next & 1;                                                \
                state = next >> 1;                                                \
            }                                                                     \
        }                                                                         \
    }

/* The words of `text`, and whether it has a character other than whitespace
   (str.isspace). */
static Py_ssize_t
count_words(PyObject *text, int *nonblank)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text), i = 0, words = 0;
    const void *data = PyUnicode_DATA(text);

    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        COUNT_LOOP(Py_UCS1);
        break;
    case PyUnicode_2BYTE_KIND:
        COUNT_LOOP(Py_UCS2);
        break;
    default:
        COUNT_LOOP(Py_UCS4);
        break;
    }
    return words;
}

static int
check_configured(void)
{
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "_native.setup() has not run");
        return -1;
    }
    return 0;
}

static PyObject *
native_word_count(PyObject *self, PyObject *arg)
{
    int nonblank;
    if (check_configured() < 0) {
        return NULL;
    }
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "word_count() takes a str");
        return NULL;
    }
    return PyLong_FromSsize_t(count_words(arg, &nonblank));
}

/* -- the walk ---------------------------------------------------------------------- */

/* A tag as `.tag` gives it, shared by the nodes that have it. */
typedef struct {
    int kind; /* 0: named by id, 1: element name, 2: no name (None) */
    uintptr_t key;
    size_t length;
    PyObject *name; /* owned */
    PyObject *list; /* owned: by_tag's list for the name */
    unsigned char is_text, is_a, is_p, descend;
} Tag;

typedef struct {
    Tag *items;
    Py_ssize_t count, capacity;
    Py_ssize_t *slots; /* open addressing over element names: index + 1, 0 empty */
    size_t mask;
    Py_ssize_t by_id[SPECIALS + 1]; /* named by id, and the unnamed: index + 1 */
    PyObject *by_tag;               /* borrowed: the result's dict */
} Tags;

typedef struct {
    node_t *node;
    Py_ssize_t parent, end, linked, paragraphed;
    Py_ssize_t tag;
    const lxb_char_t *text; /* a text node's data (may be NULL: "") */
    size_t text_length;
    int has_text; /* 0: None, 1: the text above */
} Record;

static void
tags_free(Tags *tags)
{
    Py_ssize_t i;
    for (i = 0; i < tags->count; i++) {
        Py_XDECREF(tags->items[i].name);
        Py_XDECREF(tags->items[i].list);
    }
    PyMem_Free(tags->items);
    PyMem_Free(tags->slots);
}

static inline size_t
name_hash(uintptr_t key, size_t length)
{
    uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ULL ^ (uint64_t)length * 0xC2B2AE3D27D4EB4FULL;
    return (size_t)(h ^ (h >> 29));
}

static int
tags_grow_slots(Tags *tags)
{
    size_t capacity = tags->slots == NULL ? 64 : (tags->mask + 1) * 2;
    Py_ssize_t *slots, i;
    if (capacity > (size_t)PY_SSIZE_T_MAX / sizeof(Py_ssize_t)) {
        PyErr_NoMemory();
        return -1;
    }
    slots = PyMem_Calloc(capacity, sizeof(Py_ssize_t));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (i = 0; i < tags->count; i++) {
        Tag *tag = &tags->items[i];
        size_t at;
        if (tag->kind != 1) {
            continue;
        }
        at = name_hash(tag->key, tag->length) & (capacity - 1);
        while (slots[at] != 0) {
            at = (at + 1) & (capacity - 1);
        }
        slots[at] = i + 1;
    }
    PyMem_Free(tags->slots);
    tags->slots = slots;
    tags->mask = capacity - 1;
    return 0;
}

/* A new Tag for `name` (a new reference, stolen): its by_tag list is the one of
   an equal name already seen, else a new one entered now (so in document order). */
static Py_ssize_t
tags_add(Tags *tags, int kind, uintptr_t key, size_t length, PyObject *name)
{
    Tag *tag;
    PyObject *list;
    Py_ssize_t size;

    if (tags->count == tags->capacity) {
        Py_ssize_t capacity = tags->capacity ? tags->capacity * 2 : 64;
        Tag *items;
        if ((size_t)capacity > (size_t)PY_SSIZE_T_MAX / sizeof(Tag)) {
            Py_DECREF(name);
            PyErr_NoMemory();
            return -1;
        }
        items = PyMem_Realloc(tags->items, (size_t)capacity * sizeof(Tag));
        if (items == NULL) {
            Py_DECREF(name);
            PyErr_NoMemory();
            return -1;
        }
        tags->items = items;
        tags->capacity = capacity;
    }
    list = PyDict_GetItemWithError(tags->by_tag, name);
    if (list != NULL) {
        Py_INCREF(list);
    }
    else {
        if (PyErr_Occurred() || (list = PyList_New(0)) == NULL) {
            Py_DECREF(name);
            return -1;
        }
        if (PyDict_SetItem(tags->by_tag, name, list) < 0) {
            Py_DECREF(name);
            Py_DECREF(list);
            return -1;
        }
    }
    tag = &tags->items[tags->count];
    tag->kind = kind;
    tag->key = key;
    tag->length = length;
    tag->name = name;
    tag->list = list;
    size = PyUnicode_GET_LENGTH(name);
    tag->is_text = PyUnicode_CompareWithASCIIString(name, "-text") == 0;
    tag->is_a = PyUnicode_CompareWithASCIIString(name, "a") == 0;
    tag->is_p = PyUnicode_CompareWithASCIIString(name, "p") == 0;
    tag->descend = !(size > 0 && PyUnicode_READ_CHAR(name, 0) == '-');
    return tags->count++;
}

/* The Tag of a node: exactly how selectolax's `.tag` decides (then `or ""`). */
static Py_ssize_t
tag_of(Tags *tags, node_t *node)
{
    uintptr_t id = lxb.tag_id(node);
    const lxb_char_t *name;
    size_t length = 0, at;
    Py_ssize_t i, found;
    PyObject *text;

    for (i = 0; i < n_specials; i++) {
        if (special_ids[i] == id) {
            if (tags->by_id[i] == 0) {
                Py_INCREF(special_names[i]);
                found = tags_add(tags, 0, id, 0, special_names[i]);
                if (found < 0) {
                    return -1;
                }
                tags->by_id[i] = found + 1;
            }
            return tags->by_id[i] - 1;
        }
    }
    name = lxb.type(node) == NODE_ELEMENT ? lxb.element_name(node, &length) : NULL;
    if (name == NULL) {
        if (tags->by_id[SPECIALS] == 0) {
            Py_INCREF(empty_str);
            found = tags_add(tags, 2, 0, 0, empty_str);
            if (found < 0) {
                return -1;
            }
            tags->by_id[SPECIALS] = found + 1;
        }
        return tags->by_id[SPECIALS] - 1;
    }
    at = name_hash((uintptr_t)name, length) & tags->mask;
    while (tags->slots[at] != 0) {
        Tag *tag = &tags->items[tags->slots[at] - 1];
        if (tag->key == (uintptr_t)name && tag->length == length) {
            return tags->slots[at] - 1;
        }
        at = (at + 1) & tags->mask;
    }
    if (length > (size_t)PY_SSIZE_T_MAX) {
        PyErr_SetString(PyExc_OverflowError, "tag name too long");
        return -1;
    }
    text = PyUnicode_DecodeUTF8((const char *)name, (Py_ssize_t)length, "replace");
    if (text == NULL) {
        return -1;
    }
    found = tags_add(tags, 1, (uintptr_t)name, length, text);
    if (found < 0) {
        return -1;
    }
    tags->slots[at] = found + 1;
    if ((size_t)tags->count * 2 > tags->mask + 1 && tags_grow_slots(tags) < 0) {
        return -1;
    }
    return found;
}

static int
records_push(Record **records, Py_ssize_t *capacity, Py_ssize_t count)
{
    if (count == *capacity) {
        Py_ssize_t grown = *capacity ? *capacity * 2 : 1024;
        Record *more;
        if ((size_t)grown > (size_t)PY_SSIZE_T_MAX / sizeof(Record)) {
            PyErr_NoMemory();
            return -1;
        }
        more = PyMem_Realloc(*records, (size_t)grown * sizeof(Record));
        if (more == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        *records = more;
        *capacity = grown;
    }
    return 0;
}

/* Fill the record of `node`; `parent` is its parent's position (-1 for the root). */
static int
record(Tags *tags, Record *records, Py_ssize_t at, node_t *node, Py_ssize_t parent)
{
    Record *r = &records[at];
    Py_ssize_t tag = tag_of(tags, node);
    Tag *t;
    if (tag < 0) {
        return -1;
    }
    t = &tags->items[tag];
    r->node = node;
    r->parent = parent;
    r->end = at + 1;
    r->tag = tag;
    r->text = NULL;
    r->text_length = 0;
    r->has_text = 0;
    if (parent < 0) { /* the root: no text, its own `a` and `p` only */
        r->linked = t->is_a;
        r->paragraphed = t->is_p;
        return 0;
    }
    r->linked = records[parent].linked + t->is_a;
    r->paragraphed = records[parent].paragraphed + t->is_p;
    if (t->is_text) {
        r->has_text = 1;
        if (lxb.type(node) == NODE_TEXT) { /* else `.text_content` is None: "" */
            void *data = (char *)node + text_offset;
            r->text = lxb.str_data(data);
            r->text_length = r->text != NULL ? lxb.str_length(data) : 0;
        }
    }
    return 0;
}

static PyObject *
native_walk(PyObject *self, PyObject *arg)
{
    node_t *root, *child;
    Record *records = NULL;
    Py_ssize_t capacity = 0, n = 0, current = 0, i;
    Tags tags;
    PyObject **ints = NULL, *minus_one = NULL;
    PyObject *by_tag = NULL, *pos = NULL, *result = NULL;
    PyObject *lists[10] = {NULL};
    enum { TAGS, PARENTS, ENDS, TEXTS, LINKED, PARAGRAPHED, CHARS, WORDS, NONBLANK };

    if (check_configured() < 0 || (root = node_of(arg)) == NULL) {
        return NULL;
    }
    memset(&tags, 0, sizeof(tags));
    by_tag = PyDict_New();
    if (by_tag == NULL) {
        return NULL;
    }
    tags.by_tag = by_tag;
    if (tags_grow_slots(&tags) < 0) {
        goto error;
    }

    /* 1. The nodes in document order, as _Walk visits them: every child of the
       root, and the children of each node whose tag does not start with "-". */
    if (records_push(&records, &capacity, 0) < 0 || record(&tags, records, 0, root, -1) < 0) {
        goto error;
    }
    n = 1;
    child = lxb.first_child(root);
    for (;;) {
        while (child == NULL) {
            records[current].end = n;
            if (current == 0) {
                break;
            }
            child = lxb.next(records[current].node);
            current = records[current].parent;
        }
        if (child == NULL) {
            break;
        }
        if (records_push(&records, &capacity, n) < 0 ||
            record(&tags, records, n, child, current) < 0) {
            goto error;
        }
        n++;
        if (tags.items[records[n - 1].tag].descend) {
            current = n - 1;
            child = lxb.first_child(child);
        }
        else {
            child = lxb.next(child);
        }
    }

    /* 2. The Python values: one int object per position, shared by the lists. */
    if ((size_t)n + 1 > (size_t)PY_SSIZE_T_MAX / sizeof(PyObject *)) {
        PyErr_NoMemory();
        goto error;
    }
    ints = PyMem_Calloc((size_t)n + 1, sizeof(PyObject *));
    if (ints == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    for (i = 0; i <= n; i++) {
        if ((ints[i] = PyLong_FromSsize_t(i)) == NULL) {
            goto error;
        }
    }
    if ((minus_one = PyLong_FromLong(-1)) == NULL) {
        goto error;
    }
    for (i = 0; i < NONBLANK + 1; i++) {
        if ((lists[i] = PyList_New(n)) == NULL) {
            goto error;
        }
    }
    pos = _PyDict_NewPresized(n);
    if (pos == NULL) {
        goto error;
    }
    for (i = 0; i < n; i++) {
        Record *r = &records[i];
        Tag *t = &tags.items[r->tag];
        PyObject *value, *key;
        Py_ssize_t chars = 0, words = 0;
        int nonblank = 0;

        Py_INCREF(t->name);
        PyList_SET_ITEM(lists[TAGS], i, t->name);
        value = r->parent < 0 ? minus_one : ints[r->parent];
        Py_INCREF(value);
        PyList_SET_ITEM(lists[PARENTS], i, value);
        Py_INCREF(ints[r->end]);
        PyList_SET_ITEM(lists[ENDS], i, ints[r->end]);
        if (!r->has_text) {
            value = Py_None;
            Py_INCREF(value);
        }
        else if (r->text == NULL || r->text_length == 0) {
            value = empty_str;
            Py_INCREF(value);
        }
        else {
            if (r->text_length > (size_t)PY_SSIZE_T_MAX) {
                PyErr_SetString(PyExc_OverflowError, "text too long");
                goto error;
            }
            value = PyUnicode_DecodeUTF8((const char *)r->text, (Py_ssize_t)r->text_length,
                                         "replace");
            if (value == NULL) {
                goto error;
            }
            chars = PyUnicode_GET_LENGTH(value);
            words = count_words(value, &nonblank);
        }
        PyList_SET_ITEM(lists[TEXTS], i, value);
        if ((value = PyLong_FromSsize_t(r->linked)) == NULL) {
            goto error;
        }
        PyList_SET_ITEM(lists[LINKED], i, value);
        if ((value = PyLong_FromSsize_t(r->paragraphed)) == NULL) {
            goto error;
        }
        PyList_SET_ITEM(lists[PARAGRAPHED], i, value);
        if ((value = PyLong_FromSsize_t(chars)) == NULL) {
            goto error;
        }
        PyList_SET_ITEM(lists[CHARS], i, value);
        if ((value = PyLong_FromSsize_t(words)) == NULL) {
            goto error;
        }
        PyList_SET_ITEM(lists[WORDS], i, value);
        value = nonblank ? Py_True : Py_False;
        Py_INCREF(value);
        PyList_SET_ITEM(lists[NONBLANK], i, value);
        if (PyList_Append(t->list, ints[i]) < 0) {
            goto error;
        }
        if ((key = PyLong_FromSize_t((size_t)(uintptr_t)r->node)) == NULL) {
            goto error;
        }
        if (PyDict_SetItem(pos, key, ints[i]) < 0) {
            Py_DECREF(key);
            goto error;
        }
        Py_DECREF(key);
    }
    result = PyTuple_Pack(11, lists[TAGS], lists[PARENTS], lists[ENDS], lists[TEXTS],
                          lists[LINKED], lists[PARAGRAPHED], by_tag, pos, lists[CHARS],
                          lists[WORDS], lists[NONBLANK]);

error:
    for (i = 0; i < NONBLANK + 1; i++) {
        Py_XDECREF(lists[i]);
    }
    if (ints != NULL) {
        for (i = 0; i <= n; i++) {
            Py_XDECREF(ints[i]);
        }
        PyMem_Free(ints);
    }
    Py_XDECREF(minus_one);
    Py_XDECREF(pos);
    tags_free(&tags);
    Py_XDECREF(by_tag);
    PyMem_Free(records);
    return result;
}

/* attributes(mem_id): selectolax's `node.attributes`. */
static PyObject *
native_attributes(PyObject *self, PyObject *arg)
{
    node_t *node;
    attr_t *attr;
    PyObject *result;

    if (check_bound() < 0 || (node = node_of(arg)) == NULL) {
        return NULL;
    }
    if ((result = PyDict_New()) == NULL) {
        return NULL;
    }
    if (lxb.type(node) != NODE_ELEMENT) {
        return result;
    }
    for (attr = lxb.first_attribute(node); attr != NULL; attr = lxb.next_attribute(attr)) {
        size_t name_length = 0, value_length = 0;
        const lxb_char_t *name = lxb.attr_name(attr, &name_length);
        const lxb_char_t *data;
        PyObject *key, *value;
        if (name == NULL) {
            name_length = 0;
        }
        if (name_length > (size_t)PY_SSIZE_T_MAX) {
            Py_DECREF(result);
            PyErr_SetString(PyExc_OverflowError, "attribute name too long");
            return NULL;
        }
        key = PyUnicode_DecodeUTF8(name ? (const char *)name : "", (Py_ssize_t)name_length,
                                   "replace");
        if (key == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        data = lxb.attr_value(attr, &value_length);
        if (data == NULL) {
            value = Py_None;
            Py_INCREF(value);
        }
        else if (value_length > (size_t)PY_SSIZE_T_MAX) {
            Py_DECREF(key);
            Py_DECREF(result);
            PyErr_SetString(PyExc_OverflowError, "attribute value too long");
            return NULL;
        }
        else if ((value = PyUnicode_DecodeUTF8((const char *)data, (Py_ssize_t)value_length,
                                               "replace")) == NULL) {
            Py_DECREF(key);
            Py_DECREF(result);
            return NULL;
        }
        if (PyDict_SetItem(result, key, value) < 0) {
            Py_DECREF(key);
            Py_DECREF(value);
            Py_DECREF(result);
            return NULL;
        }
        Py_DECREF(key);
        Py_DECREF(value);
    }
    return result;
}

/* -- py3langid's DFA walk ----------------------------------------------------------- */

static PyObject *counter_type = NULL; /* owned: collections.Counter */

/* The walk is bound by memory latency (the automaton is 40 MB): each step reads
   rowbase[state], then nm[...]. Read through a list, rowbase[state] is two
   dependent loads (the item pointer, then the int object), so `rowbase` and `out`
   are read once into C arrays and kept for as long as the same two list objects
   are passed (references are held, so their ids stay theirs). py3langid builds
   them once per identifier and never changes them; a list changed in place after
   a call would not be seen. */
static struct {
    PyObject *rowbase, *out; /* owned */
    long long *rows, *outs;
    Py_ssize_t n_rows, n_outs;
} dfa;

static void
dfa_clear(void)
{
    Py_CLEAR(dfa.rowbase);
    Py_CLEAR(dfa.out);
    PyMem_Free(dfa.rows);
    PyMem_Free(dfa.outs);
    dfa.rows = dfa.outs = NULL;
    dfa.n_rows = dfa.n_outs = 0;
}

/* A list of exact ints as a C array (TypeError for anything else: the caller
   falls back to Python, which says what it means). */
static long long *
int_array(PyObject *list, Py_ssize_t *size)
{
    Py_ssize_t n = PyList_GET_SIZE(list), i;
    long long *values;
    if ((size_t)n > (size_t)PY_SSIZE_T_MAX / sizeof(long long)) {
        PyErr_NoMemory();
        return NULL;
    }
    values = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(long long));
    if (values == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(list, i);
        int overflow = 0;
        if (!PyLong_CheckExact(item)) {
            PyMem_Free(values);
            PyErr_SetString(PyExc_TypeError, "an int was expected");
            return NULL;
        }
        values[i] = PyLong_AsLongLongAndOverflow(item, &overflow);
        if (overflow || (values[i] == -1 && PyErr_Occurred())) {
            PyMem_Free(values);
            PyErr_Clear();
            PyErr_SetString(PyExc_TypeError, "int out of range");
            return NULL;
        }
    }
    *size = n;
    return values;
}

static int
dfa_load(PyObject *rowbase, PyObject *out)
{
    Py_ssize_t n_rows, n_outs;
    long long *rows, *outs;
    if (rowbase == dfa.rowbase && out == dfa.out && PyList_GET_SIZE(rowbase) == dfa.n_rows &&
        PyList_GET_SIZE(out) == dfa.n_outs) {
        return 0;
    }
    if ((rows = int_array(rowbase, &n_rows)) == NULL) {
        return -1;
    }
    if ((outs = int_array(out, &n_outs)) == NULL) {
        PyMem_Free(rows);
        return -1;
    }
    dfa_clear();
    Py_INCREF(rowbase);
    Py_INCREF(out);
    dfa.rowbase = rowbase;
    dfa.out = out;
    dfa.rows = rows;
    dfa.outs = outs;
    dfa.n_rows = n_rows;
    dfa.n_outs = n_outs;
    return 0;
}

/* An index into a sequence of `size` items, with Python's meaning of negatives. */
static inline int
wrap_index(long long *index, Py_ssize_t size)
{
    if (*index < 0) {
        *index += size;
    }
    if (*index < 0 || *index >= size) {
        PyErr_SetString(PyExc_IndexError, "index out of range");
        return -1;
    }
    return 0;
}

static inline long long
read_item(const char *buffer, Py_ssize_t i, char format)
{
    switch (format) {
    case 'b': return ((const signed char *)buffer)[i];
    case 'B': return ((const unsigned char *)buffer)[i];
    case 'h': return ((const short *)buffer)[i];
    case 'H': return ((const unsigned short *)buffer)[i];
    case 'i': return ((const int *)buffer)[i];
    case 'I': return ((const unsigned int *)buffer)[i];
    case 'l': return ((const long *)buffer)[i];
    case 'L': return (long long)((const unsigned long *)buffer)[i];
    case 'q': return ((const long long *)buffer)[i];
    default: return (long long)((const unsigned long long *)buffer)[i];
    }
}

static int
item_format(const Py_buffer *view, char *format)
{
    const char *f = view->format ? view->format : "B";
    size_t size;
    if (*f == '@' || *f == '=' || *f == '<') {
        f++;
    }
    if (f[0] == '\0' || f[1] != '\0' || strchr("bBhHiIlLqQ", f[0]) == NULL) {
        return -1;
    }
    switch (f[0]) {
    case 'b': case 'B': size = 1; break;
    case 'h': case 'H': size = sizeof(short); break;
    case 'i': case 'I': size = sizeof(int); break;
    case 'l': case 'L': size = sizeof(long); break;
    default: size = sizeof(long long); break;
    }
    if ((size_t)view->itemsize != size) {
        return -1;
    }
    *format = f[0];
    return 0;
}

typedef struct {
    long long feature;
    Py_ssize_t count;
} Seen;

/* The Counter of `hits` features: keys in order of first occurrence, as
   Counter(list) makes it. A hash of feature -> place in `seen`. */
static PyObject *
count_features(const long long *hits, Py_ssize_t n)
{
    size_t capacity = 16, mask, i;
    Py_ssize_t *slots, unique = 0, k;
    Seen *seen;
    PyObject *counter = NULL;

    while (capacity < (size_t)n * 2) {
        capacity *= 2;
    }
    mask = capacity - 1;
    slots = PyMem_Calloc(capacity, sizeof(Py_ssize_t));
    seen = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Seen));
    if (slots == NULL || seen == NULL) {
        PyMem_Free(slots);
        PyMem_Free(seen);
        return PyErr_NoMemory();
    }
    for (k = 0; k < n; k++) {
        long long f = hits[k];
        i = (size_t)((uint64_t)f * 0x9E3779B97F4A7C15ULL >> 20) & mask;
        while (slots[i] != 0 && seen[slots[i] - 1].feature != f) {
            i = (i + 1) & mask;
        }
        if (slots[i] == 0) {
            seen[unique].feature = f;
            seen[unique].count = 0;
            slots[i] = ++unique;
        }
        seen[slots[i] - 1].count++;
    }
    counter = PyObject_CallNoArgs(counter_type);
    for (k = 0; counter != NULL && k < unique; k++) {
        PyObject *key = PyLong_FromLongLong(seen[k].feature);
        PyObject *value = key ? PyLong_FromSsize_t(seen[k].count) : NULL;
        if (value == NULL || PyDict_SetItem(counter, key, value) < 0) {
            Py_CLEAR(counter);
        }
        Py_XDECREF(key);
        Py_XDECREF(value);
    }
    PyMem_Free(slots);
    PyMem_Free(seen);
    return counter;
}

/* visit_counts(nm, rowbase, out, text): py3langid.langid.visit_counts. `nm` is a
   buffer of integers (py3langid's array('I')), `rowbase` and `out` lists of
   ints, `text` bytes. A TypeError means "not these types": native.py falls back
   to the Python function then. */
static PyObject *
native_visit_counts(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer nm, text;
    PyObject *result = NULL;
    const unsigned char *letters;
    const char *table;
    long long state = 0, *hits = NULL;
    Py_ssize_t n_nm, i, n_hits = 0;
    char format;

    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "visit_counts() takes 4 arguments");
        return NULL;
    }
    if (!PyList_CheckExact(args[1]) || !PyList_CheckExact(args[2])) {
        PyErr_SetString(PyExc_TypeError, "rowbase and out must be lists");
        return NULL;
    }
    if (!PyBytes_Check(args[3]) && !PyByteArray_Check(args[3]) && !PyMemoryView_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "text must be bytes");
        return NULL;
    }
    if (dfa_load(args[1], args[2]) < 0) {
        return NULL;
    }
    if (PyObject_GetBuffer(args[0], &nm, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) {
        return NULL;
    }
    if (item_format(&nm, &format) < 0) {
        PyBuffer_Release(&nm);
        PyErr_SetString(PyExc_TypeError, "nm must be a buffer of integers");
        return NULL;
    }
    if (PyObject_GetBuffer(args[3], &text, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) {
        PyBuffer_Release(&nm);
        return NULL;
    }
    if (text.itemsize != 1 || (text.format != NULL && strcmp(text.format, "B") != 0)) {
        PyErr_SetString(PyExc_TypeError, "text must be bytes");
        goto done;
    }
    hits = PyMem_Malloc((size_t)(text.len ? text.len : 1) * sizeof(long long));
    if (hits == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    n_nm = nm.len / nm.itemsize;
    table = (const char *)nm.buf;
    letters = (const unsigned char *)text.buf;
    for (i = 0; i < text.len; i++) {
        long long at;
        if (wrap_index(&state, dfa.n_rows) < 0) {
            goto done;
        }
        at = dfa.rows[state] + letters[i];
        if (wrap_index(&at, n_nm) < 0) {
            goto done;
        }
        state = read_item(table, (Py_ssize_t)at, format);
        at = state;
        if (wrap_index(&at, dfa.n_outs) < 0) {
            goto done;
        }
        if (dfa.outs[at] >= 0) {
            hits[n_hits++] = dfa.outs[at];
        }
    }
    if (n_hits) {
        result = count_features(hits, n_hits);
    }
    else {
        result = Py_None;
        Py_INCREF(result);
    }
done:
    PyMem_Free(hits);
    PyBuffer_Release(&text);
    PyBuffer_Release(&nm);
    return result;
}

/* -- the module ---------------------------------------------------------------------- */

static PyMethodDef methods[] = {
    {"bind", native_bind, METH_O,
     "bind(path): look lexbor's functions up in selectolax's loaded module."},
    {"tag_id", native_tag_id, METH_O, "tag_id(mem_id): lexbor's tag id of a node."},
    {"node_type", native_node_type, METH_O, "node_type(mem_id): the DOM node type."},
    {"parent", native_parent, METH_O, "parent(mem_id): the parent's mem_id, 0 for none."},
    {"probe_text_offset", native_probe_text_offset, METH_O,
     "probe_text_offset([(mem_id, utf8), ...]): where text nodes keep their data."},
    {"setup", native_setup, METH_VARARGS,
     "setup(classes, {tag_id: name}, text_offset): configure the walk."},
    {"word_count", native_word_count, METH_O, "word_count(text): normalize.word_count."},
    {"walk", native_walk, METH_O,
     "walk(mem_id): (tags, parents, ends, texts, linked, paragraphed, by_tag, pos, "
     "chars, words, nonblank), as pageindex._Walk records them."},
    {"attributes", native_attributes, METH_O,
     "attributes(mem_id): the node's attributes, as selectolax's node.attributes."},
    {"visit_counts", (PyCFunction)(void (*)(void))native_visit_counts, METH_FASTCALL,
     "visit_counts(nm, rowbase, out, text): py3langid.langid.visit_counts."},
    {NULL, NULL, 0, NULL},
};

static void
module_free(void *module)
{
    Py_ssize_t i;
    for (i = 0; i < n_specials; i++) {
        Py_CLEAR(special_names[i]);
    }
    n_specials = 0;
    configured = 0;
    Py_CLEAR(counter_type);
    Py_CLEAR(empty_str);
    dfa_clear();
}

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_native", "The page walk and py3langid's DFA walk, in C.", -1,
    methods, NULL, NULL, NULL, module_free,
};

PyMODINIT_FUNC
PyInit__native(void)
{
    PyObject *collections;
    if (empty_str == NULL && (empty_str = PyUnicode_FromStringAndSize("", 0)) == NULL) {
        return NULL;
    }
    if (counter_type == NULL) {
        collections = PyImport_ImportModule("collections");
        if (collections == NULL) {
            return NULL;
        }
        counter_type = PyObject_GetAttrString(collections, "Counter");
        Py_DECREF(collections);
        if (counter_type == NULL) {
            return NULL;
        }
    }
    return PyModule_Create(&module);
}
