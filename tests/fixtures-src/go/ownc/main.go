// Calls C code of its own (glibc's gnu_get_libc_version): cgo that no build tag removes.
package main

/*
#include <gnu/libc-version.h>
*/
import "C"

import "fmt"

func main() {
	fmt.Println("ownc ok, glibc", C.GoString(C.gnu_get_libc_version()))
}
