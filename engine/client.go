package engine

import (
	"github.com/redisctl/redisctl/resp"
)

// ClientFlags are a client's states that the engine cares about.
type ClientFlags uint32

// Client state flags.
const (
	ClientMulti           ClientFlags = 1 << iota // inside MULTI
	ClientDirtyCAS                                // a WATCHed key was touched: EXEC will fail
	ClientDirtyExec                               // a command failed to queue: EXEC will abort
	ClientPubSub                                  // RESP2 subscriber context
	ClientMonitor                                 // MONITOR
	ClientCloseAfterReply                         // QUIT, or a protocol error
	ClientNoEvict                                 // CLIENT NO-EVICT on
	ClientReplyOff                                // CLIENT REPLY OFF
	ClientReplySkipNext                           // CLIENT REPLY SKIP (for the next command)
	ClientReplySkip                               // CLIENT REPLY SKIP in effect for this command
	ClientScript                                  // the fake client of a script
	ClientAOF                                     // the fake client replaying an AOF
	ClientDenyBlocking                            // blocking commands behave as timed out (EXEC; scripts set it too)
)

// Client is the engine's view of a connection: selected database, protocol, transaction
// and subscription state, and where its replies go. The server creates one per connection
// and keeps its own network state beside it.
type Client struct {
	ID    int64
	Flags ClientFlags
	W     *resp.Writer
	db    *DB

	Name          []byte
	Authenticated bool
	User          string

	// MULTI state: the queued commands (each argument copied) and the watched keys.
	multiQueue [][][]byte
	watched    []watchedKey
	// execLen is the number of commands of the EXEC being run, 0 outside EXEC: Redis
	// keeps CLIENT_MULTI and mstate.count until the transaction ends.
	execLen int

	// blocked is the client's state while blocked on keys (block.go), nil otherwise.
	blocked *blockedState

	subs  map[string]struct{}
	psubs map[string]struct{}

	// Wake is called (under the engine lock) when output was added to W outside of this
	// client's own command, e.g. a published message; the server uses it to flush.
	Wake func()

	// LastCmd is the name of the last command run (CLIENT LIST's cmd=).
	LastCmd string

	// Server-side data the server hangs on the client (its connection).
	Conn any
}

// NewClient registers a client with a reply writer. Call with the lock held.
func (e *Engine) NewClient(w *resp.Writer) *Client {
	e.nextClientID++
	c := &Client{ID: e.nextClientID, W: w, db: e.dbs[0]}
	e.clients[c.ID] = c
	return c
}

// FreeClient forgets a client: unwatches, unsubscribes and removes it. Lock held.
func (e *Engine) FreeClient(c *Client) {
	e.DropBlocked(c)
	e.unwatchAll(c)
	e.PubSub.unsubscribeAll(c)
	delete(e.clients, c.ID)
}

// Clients calls fn for every registered client.
func (e *Engine) Clients(fn func(c *Client)) {
	for _, c := range e.clients {
		fn(c)
	}
}

// ClientByID finds a registered client.
func (e *Engine) ClientByID(id int64) *Client { return e.clients[id] }

// NumClients is the number of registered clients.
func (e *Engine) NumClients() int { return len(e.clients) }

// DB is the client's selected database.
func (c *Client) DB() *DB { return c.db }

// Select switches the client's database.
func (c *Client) Select(db *DB) { c.db = db }

// InMulti reports whether the client is queuing a transaction.
func (c *Client) InMulti() bool { return c.Flags&ClientMulti != 0 }

// Proto is the client's protocol version (2 or 3).
func (c *Client) Proto() int { return c.W.Protocol() }

// NumSubscriptions is the count of channels plus patterns the client is subscribed to.
func (c *Client) NumSubscriptions() int { return len(c.subs) + len(c.psubs) }

// NumChannels / NumPatterns as CLIENT LIST's sub= and psub=.
func (c *Client) NumChannels() int { return len(c.subs) }

// NumPatterns is the number of patterns the client is subscribed to.
func (c *Client) NumPatterns() int { return len(c.psubs) }

// MultiLen is the number of queued commands (CLIENT LIST's multi=, -1 outside MULTI).
func (c *Client) MultiLen() int {
	if !c.InMulti() {
		return -1
	}
	return len(c.multiQueue)
}

// InExec reports whether the client is running the commands of its EXEC.
func (c *Client) InExec() bool { return c.execLen > 0 }

// ExecLen is the number of commands of the EXEC being run (0 outside EXEC): CLIENT
// LIST's multi= and its flag x while EXEC runs them, as Redis shows them.
func (c *Client) ExecLen() int { return c.execLen }

// NumWatched is the number of WATCHed keys.
func (c *Client) NumWatched() int { return len(c.watched) }
