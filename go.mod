module github.com/modelwatch/modelwatch

go 1.26
