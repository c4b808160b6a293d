module ldsim.test/gofixtures

go 1.19
