// No C at all: built with CGO_ENABLED=0 it is static; with GOAMD64=v3 it needs an x86-64-v3 CPU.
package main

import "fmt"

func main() {
	fmt.Println("plain ok")
}
