/* A library that loads three others with dlopen() and declares them in .note.dlopen notes,
 * laid out the way systemd's ELF_NOTE_DLOPEN macro lays them out
 * (https://systemd.io/ELF_DLOPEN_METADATA/): one ELF note per call site, owner "FDO",
 * type 0x407c0c0a, the descriptor a NUL-terminated JSON array, 4-byte aligned.
 *
 *   required:    libdlreq.so.1
 *   recommended: libdlrec.so.1, or its alternative libdlrec.so.2
 *   suggested:   libz.so.1
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>

#define DLOPEN_NOTE_OWNER "FDO"
#define DLOPEN_NOTE_TYPE UINT32_C(0x407c0c0a)

/* One note: Elf_Nhdr, the owner name, then the JSON text with its NUL. The section is
 * allocated, so the linker puts it in a PT_NOTE segment. */
#define DLOPEN_NOTE(var, json)                                                              \
    __attribute__((used, section(".note.dlopen"))) _Alignas(4) static const struct {      \
        uint32_t n_namesz, n_descsz, n_type;                                               \
        char name[sizeof(DLOPEN_NOTE_OWNER)];                                              \
        _Alignas(4) char desc[sizeof(json)];                                               \
    } var = {                                                                              \
        sizeof(DLOPEN_NOTE_OWNER), sizeof(json), DLOPEN_NOTE_TYPE, DLOPEN_NOTE_OWNER, json \
    }

DLOPEN_NOTE(note_req,
            "[{\"feature\":\"req\",\"description\":\"Core functionality\","
            "\"priority\":\"required\",\"soname\":[\"libdlreq.so.1\"]}]");
DLOPEN_NOTE(note_rec,
            "[{\"feature\":\"rec\",\"description\":\"Recommended extra\","
            "\"priority\":\"recommended\",\"soname\":[\"libdlrec.so.1\",\"libdlrec.so.2\"]}]");
DLOPEN_NOTE(note_zlib,
            "[{\"feature\":\"zlib\",\"description\":\"Compression support\","
            "\"priority\":\"suggested\",\"soname\":[\"libz.so.1\"]}]");

void *plugin_user_load_req(void) { return dlopen("libdlreq.so.1", RTLD_NOW); }

void *plugin_user_load_rec(void) {
    void *h = dlopen("libdlrec.so.1", RTLD_NOW);
    return h ? h : dlopen("libdlrec.so.2", RTLD_NOW);
}

void *plugin_user_load_zlib(void) { return dlopen("libz.so.1", RTLD_LAZY); }
