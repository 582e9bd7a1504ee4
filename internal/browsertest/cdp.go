package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
)

// cdpConn multiplexes DevTools commands and events over one WebSocket.
type cdpConn struct {
	ws      *wsConn
	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan cdpMessage
	events  map[string]func(method string, params json.RawMessage) // by session
	done    chan struct{}
	err     error
}

// cdpMessage is any message from the browser.
type cdpMessage struct {
	ID        int64           `json:"id"`
	Method    string          `json:"method"`
	Params    json.RawMessage `json:"params"`
	Result    json.RawMessage `json:"result"`
	SessionID string          `json:"sessionId"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// dialCDP connects to the browser's DevTools endpoint.
func dialCDP(ctx context.Context, url string) (*cdpConn, error) {
	ws, err := dialWebSocket(ctx, url)
	if err != nil {
		return nil, err
	}
	c := &cdpConn{ws: ws, pending: map[int64]chan cdpMessage{}, events: map[string]func(string, json.RawMessage){}, done: make(chan struct{})}
	go c.readLoop()
	return c, nil
}

// readLoop delivers responses to their callers and events to sessions.
func (c *cdpConn) readLoop() {
	defer close(c.done)
	for {
		data, err := c.ws.readMessage()
		if err != nil {
			c.mu.Lock()
			c.err = err
			for id, ch := range c.pending {
				close(ch)
				delete(c.pending, id)
			}
			c.mu.Unlock()
			return
		}
		var m cdpMessage
		if err := json.Unmarshal(data, &m); err != nil {
			continue
		}
		c.mu.Lock()
		if m.ID != 0 {
			if ch, ok := c.pending[m.ID]; ok {
				ch <- m
				delete(c.pending, m.ID)
			}
		} else if h := c.events[m.SessionID]; h != nil {
			h(m.Method, m.Params)
		}
		c.mu.Unlock()
	}
}

// call sends a command and decodes its result into result (may be nil).
func (c *cdpConn) call(ctx context.Context, session, method string, params, result any) error {
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return fmt.Errorf("%s: connection closed: %w", method, err)
	}
	c.nextID++
	id := c.nextID
	ch := make(chan cdpMessage, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", method, err)
	}
	if err := c.ws.writeText(data); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: connection closed", method)
		}
		if m.Error != nil {
			return fmt.Errorf("%s: %s (code %d)", method, m.Error.Message, m.Error.Code)
		}
		if result != nil {
			if err := json.Unmarshal(m.Result, result); err != nil {
				return fmt.Errorf("%s: decode result: %w", method, err)
			}
		}
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// subscribe routes a session's events to h (called with the lock held:
// h must not call back into the connection).
func (c *cdpConn) subscribe(session string, h func(string, json.RawMessage)) {
	c.mu.Lock()
	c.events[session] = h
	c.mu.Unlock()
}

// close closes the WebSocket and waits for the reader.
func (c *cdpConn) close() {
	_ = c.ws.close()
	<-c.done
}
