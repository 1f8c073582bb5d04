module github.com/straitgw/strait

go 1.26.8
