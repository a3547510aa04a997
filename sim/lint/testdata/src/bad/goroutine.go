package bad

func goroutine(done chan struct{}) {
	go func() { close(done) }()
}
