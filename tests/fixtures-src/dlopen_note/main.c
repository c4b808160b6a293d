/* Links against libplugin_user.so (whose .note.dlopen notes declare its dlopen dependencies)
 * and never calls its loaders: the program itself starts fine. */
#include <stdio.h>

void *plugin_user_load_req(void);

int main(void) {
    void *(*keep)(void) = plugin_user_load_req; /* a reference, so the NEEDED entry stays */
    puts("started");
    return keep == 0;
}
