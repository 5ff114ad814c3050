package engine

// watchedKey is one WATCHed key of a client. expired records that the key was already
// logically expired when WATCH ran, so its later deletion is not a change (Redis 7.0).
type watchedKey struct {
	db      *DB
	key     string
	expired bool
}

// queue appends a command to the client's transaction, copying its arguments.
func (c *Client) queue(args [][]byte) {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	cp := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		cp[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	c.multiQueue = append(c.multiQueue, cp)
}

func (c *Client) discardTransaction(e *Engine) {
	c.multiQueue = nil
	c.Flags &^= ClientMulti | ClientDirtyCAS | ClientDirtyExec
	e.unwatchAll(c)
}

// watch adds key to the client's watched keys (watchForKey).
func (e *Engine) watch(c *Client, db *DB, key []byte) {
	for _, wk := range c.watched {
		if wk.db == db && wk.key == string(key) {
			return
		}
	}
	k := string(key)
	db.watched[k] = append(db.watched[k], c)
	c.watched = append(c.watched, watchedKey{db: db, key: k, expired: db.keys.Get(k) != nil && db.isExpired(key)})
}

// unwatchAll removes every watched key of c.
func (e *Engine) unwatchAll(c *Client) {
	for _, wk := range c.watched {
		list := wk.db.watched[wk.key]
		for i, o := range list {
			if o == c {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(wk.db.watched, wk.key)
		} else {
			wk.db.watched[wk.key] = list
		}
	}
	c.watched = c.watched[:0]
}

// signalModified is Redis's signalModifiedKey: WATCHers of key fail their EXEC.
func (db *DB) signalModified(key []byte) {
	if len(db.watched) > 0 {
		db.touchWatched(key)
	}
	if h := db.eng.KeyModifiedHook; h != nil {
		h(db, key)
	}
}

func (db *DB) touchWatched(key []byte) {
	clients := db.watched[string(key)]
	if len(clients) == 0 {
		return
	}
	// Copy: marking a client dirty unwatches all of its keys, which edits the list.
	for _, c := range append([]*Client(nil), clients...) {
		for i := range c.watched {
			wk := &c.watched[i]
			if wk.db != db || wk.key != string(key) {
				continue
			}
			if wk.expired {
				if db.keys.GetBytes(key) == nil {
					// The key that was already expired when watched is now deleted:
					// logically nothing changed.
					wk.expired = false
					goto next
				}
			}
			c.Flags |= ClientDirtyCAS
			db.eng.unwatchAll(c)
			goto next
		}
	next:
	}
}

// touchAllWatched handles FLUSHDB/FLUSHALL/SWAPDB (touchAllWatchedKeysInDb): emptied lost its
// contents, replacedWith (nil for a flush) is what it holds now.
func (e *Engine) touchAllWatched(emptied *DB, replacedWith *DB) {
	for key, clients := range emptied.watched {
		kb := []byte(key)
		existsInEmptied := emptied.keys.Get(key) != nil
		existsInReplaced := replacedWith != nil && replacedWith.keys.Get(key) != nil
		if !existsInEmptied && !existsInReplaced {
			continue
		}
		for _, c := range append([]*Client(nil), clients...) {
			var wk *watchedKey
			for i := range c.watched {
				if c.watched[i].db == emptied && c.watched[i].key == key {
					wk = &c.watched[i]
					break
				}
			}
			if wk == nil {
				continue
			}
			if wk.expired {
				if !existsInReplaced {
					wk.expired = false
					continue
				} else if replacedWith.isExpired(kb) {
					continue
				}
			} else if !existsInEmptied && replacedWith.isExpired(kb) {
				wk.expired = true
				continue
			}
			c.Flags |= ClientDirtyCAS
			e.unwatchAll(c)
		}
	}
}

// watchedKeyExpired reports whether a key that was live when watched has expired since
// (isWatchedKeyExpired).
func (c *Client) watchedKeyExpired() bool {
	for _, wk := range c.watched {
		if wk.expired {
			continue
		}
		if wk.db.isExpired([]byte(wk.key)) {
			return true
		}
	}
	return false
}

func cmdMulti(x *Ctx) {
	if x.C.Flags&ClientMulti != 0 {
		x.Error("ERR MULTI calls can not be nested")
		return
	}
	x.C.Flags |= ClientMulti
	x.OK()
}

func cmdDiscard(x *Ctx) {
	if x.C.Flags&ClientMulti == 0 {
		x.Error("ERR DISCARD without MULTI")
		return
	}
	x.C.discardTransaction(x.E)
	x.OK()
}

func cmdExec(x *Ctx) {
	c, e := x.C, x.E
	if c.Flags&ClientMulti == 0 {
		x.Error("ERR EXEC without MULTI")
		return
	}
	if c.watchedKeyExpired() {
		c.Flags |= ClientDirtyCAS
	}
	if c.Flags&(ClientDirtyCAS|ClientDirtyExec) != 0 {
		if c.Flags&ClientDirtyExec != 0 {
			x.Error("EXECABORT Transaction discarded because of previous errors.")
		} else {
			x.NullArray()
		}
		c.discardTransaction(e)
		return
	}
	queue := c.multiQueue
	c.multiQueue = nil
	e.unwatchAll(c)
	c.Flags &^= ClientMulti
	x.ArrayLen(len(queue))
	// Blocking commands inside a transaction never block (CLIENT_DENY_BLOCKING).
	denied := c.Flags & ClientDenyBlocking
	c.Flags |= ClientDenyBlocking
	c.execLen = len(queue)
	defer func() { c.execLen = 0 }()
	for _, args := range queue {
		cmd := e.table.Lookup(args[0])
		if cmd.Subcommands != nil && len(args) >= 2 {
			if sub := cmd.LookupSub(args[1]); sub != nil {
				cmd = sub
			}
		}
		if e.CheckHook != nil {
			if msg := e.CheckHook(c, cmd, args); msg != "" {
				e.countError(msg)
				c.W.WriteError(msg)
				continue
			}
		}
		e.Call(c, cmd, args)
	}
	c.Flags = c.Flags&^(ClientDirtyCAS|ClientDirtyExec|ClientDenyBlocking) | denied
}

func cmdWatch(x *Ctx) {
	if x.C.Flags&ClientMulti != 0 {
		x.Error("ERR WATCH inside MULTI is not allowed")
		return
	}
	// Redis 7.0: watching is pointless once the transaction is already doomed.
	if x.C.Flags&ClientDirtyCAS != 0 {
		x.OK()
		return
	}
	for _, k := range x.Args[1:] {
		x.E.watch(x.C, x.DB, k)
	}
	x.OK()
}

func cmdUnwatch(x *Ctx) {
	x.E.unwatchAll(x.C)
	x.C.Flags &^= ClientDirtyCAS
	x.OK()
}
