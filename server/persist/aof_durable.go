package persist

// DurablePoint is the server's reply-holding seam (server.Durability), forwarded to the
// AOF: the position in the AOF stream the current batch's writes reached. Lock held.
func (p *Persistence) DurablePoint() int64 {
	if a, ok := p.opts.AOF.(*AOFFile); ok && a != nil {
		a.attach(p)
		return a.DurablePoint()
	}
	return 0
}

// WaitDurable returns once the AOF stream is durable up to point (written, and fsynced
// under appendfsync always). Lock not held.
func (p *Persistence) WaitDurable(point int64) {
	if a, ok := p.opts.AOF.(*AOFFile); ok && a != nil {
		a.WaitDurable(point)
	}
}
