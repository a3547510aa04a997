package main

import "github.com/faultline/faultline/internal/stock"

func init() { stock.Register() }
