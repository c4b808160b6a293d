// Uses the net and os/user packages, whose cgo code makes a default build need glibc; the
// calls sit behind an argument never given, so that running it needs no network.
package main

import (
	"fmt"
	"net"
	"os"
	"os/user"
)

func main() {
	if len(os.Args) > 2 && os.Args[1] == "lookup" {
		addrs, err := net.LookupHost(os.Args[2])
		fmt.Println(addrs, err)
		u, err := user.Current()
		fmt.Println(u, err)
	}
	fmt.Println("netuser ok")
}
