package wireproxy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/wiremessage"
)

// The wire protocol: a message is a 16-byte header (length, requestID, responseTo,
// opCode) and a body. The driver speaks OP_MSG, and OP_QUERY for the first hello of a
// connection (its "legacy handshake"), which the server answers with an OP_REPLY. The
// driver's wiremessage package reads and writes headers, OP_MSG and OP_REPLY; its
// OP_QUERY readers are deprecated, so the few bytes of an OP_QUERY are read here.

// opQuery is OP_QUERY (wiremessage.OpQuery is deprecated).
const opQuery wiremessage.OpCode = 2004

// maxMessage bounds what the proxy reads: the server's 48 MB and some room.
const maxMessage = 64 << 20

// message is one wire message and what the proxy reads of it.
type message struct {
	raw        []byte
	requestID  int32
	opcode     wiremessage.OpCode
	moreToCome bool     // an OP_MSG whose sender expects no reply, or a reply more follow
	command    bson.Raw // a request's command; nil for other messages
}

// readMessage reads one message from r.
func readMessage(r io.Reader) (message, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return message{}, err
	}
	n := binary.LittleEndian.Uint32(head[:])
	if n < 16 || n > maxMessage {
		return message{}, fmt.Errorf("wire message length %d", n)
	}
	raw := make([]byte, n)
	copy(raw, head[:])
	if _, err := io.ReadFull(r, raw[4:]); err != nil {
		return message{}, err
	}
	_, reqID, _, op, body, _ := wiremessage.ReadHeader(raw)
	m := message{raw: raw, requestID: reqID, opcode: op}
	switch op {
	case wiremessage.OpMsg:
		m.moreToCome = wiremessage.IsMsgMoreToCome(raw)
		m.command = msgCommand(body)
	case opQuery:
		m.command = queryCommand(body)
	}
	return m, nil
}

// msgCommand is an OP_MSG's command: its document section, with each document
// sequence (e.g. an insert's documents) as an array field, as the server reads it.
// It is nil when the body is not well formed (the proxy forwards it unread).
func msgCommand(body []byte) bson.Raw {
	flags, rem, ok := wiremessage.ReadMsgFlags(body)
	if !ok {
		return nil
	}
	if flags&wiremessage.ChecksumPresent != 0 {
		if len(rem) < 4 {
			return nil
		}
		rem = rem[:len(rem)-4]
	}
	var doc bsoncore.Document
	type sequence struct {
		id   string
		docs []bsoncore.Document
	}
	var seqs []sequence
	for len(rem) > 0 {
		var kind wiremessage.SectionType
		kind, rem, _ = wiremessage.ReadMsgSectionType(rem)
		switch kind {
		case wiremessage.SingleDocument:
			doc, rem, ok = wiremessage.ReadMsgSectionSingleDocument(rem)
		case wiremessage.DocumentSequence:
			var s sequence
			s.id, s.docs, rem, ok = wiremessage.ReadMsgSectionDocumentSequence(rem)
			seqs = append(seqs, s)
		default:
			ok = false
		}
		if !ok {
			return nil
		}
	}
	if doc == nil || doc.Validate() != nil {
		return nil
	}
	if len(seqs) == 0 {
		return bson.Raw(doc)
	}
	idx, out := bsoncore.AppendDocumentStart(nil)
	out = append(out, doc[4:len(doc)-1]...)
	for _, s := range seqs {
		var aidx int32
		aidx, out = bsoncore.AppendArrayElementStart(out, s.id)
		for i, d := range s.docs {
			out = bsoncore.AppendDocumentElement(out, strconv.Itoa(i), d)
		}
		out, _ = bsoncore.AppendArrayEnd(out, aidx)
	}
	out, _ = bsoncore.AppendDocumentEnd(out, idx)
	return bson.Raw(out)
}

// queryCommand is an OP_QUERY's command (flags, collection name, skip, return, query),
// unwrapped from $query when a read preference wraps it; nil when not well formed.
func queryCommand(body []byte) bson.Raw {
	if len(body) < 4 {
		return nil
	}
	end := bytes.IndexByte(body[4:], 0)
	if end < 0 || len(body) < 4+end+1+8 {
		return nil
	}
	doc, _, ok := bsoncore.ReadDocument(body[4+end+1+8:])
	if !ok || doc.Validate() != nil {
		return nil
	}
	if inner, ok := doc.Lookup("$query").DocumentOK(); ok {
		doc = inner
	}
	return bson.Raw(doc)
}

// name is a command's name, the first key of its document.
func name(cmd bson.Raw) string {
	if e, err := cmd.IndexErr(0); err == nil {
		return e.Key()
	}
	return ""
}

// replyTo is a reply to request req whose document is doc: an OP_MSG to an OP_MSG,
// an OP_REPLY to an OP_QUERY.
func replyTo(req message, doc []byte) []byte {
	if req.opcode == opQuery {
		return opReply(req.requestID, 0, doc)
	}
	return opMsg(req.requestID, 0, doc)
}

func opMsg(responseTo int32, flags wiremessage.MsgFlag, doc []byte) []byte {
	idx, out := wiremessage.AppendHeaderStart(nil, wiremessage.NextRequestID(), responseTo, wiremessage.OpMsg)
	out = wiremessage.AppendMsgFlags(out, flags)
	out = wiremessage.AppendMsgSectionType(out, wiremessage.SingleDocument)
	out = append(out, doc...)
	return bsoncore.UpdateLength(out, idx, int32(len(out[idx:])))
}

func opReply(responseTo int32, flags wiremessage.ReplyFlag, doc []byte) []byte {
	idx, out := wiremessage.AppendHeaderStart(nil, wiremessage.NextRequestID(), responseTo, wiremessage.OpReply)
	out = wiremessage.AppendReplyFlags(out, flags)
	out = wiremessage.AppendReplyCursorID(out, 0)
	out = wiremessage.AppendReplyStartingFrom(out, 0)
	out = wiremessage.AppendReplyNumberReturned(out, 1)
	out = append(out, doc...)
	return bsoncore.UpdateLength(out, idx, int32(len(out[idx:])))
}

var errNotAReply = errors.New("not an OP_MSG or OP_REPLY with one document")

// rewrite applies fn to the document of reply (an OP_MSG or an OP_REPLY), keeping its
// header and flags; an OP_MSG loses its checksum, which would no longer hold.
func rewrite(reply message, fn func(bson.Raw) bson.Raw) ([]byte, error) {
	_, _, responseTo, op, body, _ := wiremessage.ReadHeader(reply.raw)
	switch op {
	case wiremessage.OpMsg:
		flags, rem, ok := wiremessage.ReadMsgFlags(body)
		if !ok {
			return nil, errNotAReply
		}
		kind, rem, ok := wiremessage.ReadMsgSectionType(rem)
		if !ok || kind != wiremessage.SingleDocument {
			return nil, errNotAReply
		}
		doc, _, ok := wiremessage.ReadMsgSectionSingleDocument(rem)
		if !ok {
			return nil, errNotAReply
		}
		out := opMsg(responseTo, flags&^wiremessage.ChecksumPresent, fn(bson.Raw(doc)))
		binary.LittleEndian.PutUint32(out[4:], uint32(reply.requestID))
		return out, nil
	case wiremessage.OpReply:
		flags, rem, ok := wiremessage.ReadReplyFlags(body)
		if !ok {
			return nil, errNotAReply
		}
		// cursorID, startingFrom and numberReturned, then the document
		if len(rem) < 16 {
			return nil, errNotAReply
		}
		doc, _, ok := bsoncore.ReadDocument(rem[16:])
		if !ok {
			return nil, errNotAReply
		}
		out := opReply(responseTo, flags, fn(bson.Raw(doc)))
		binary.LittleEndian.PutUint32(out[4:], uint32(reply.requestID))
		return out, nil
	}
	return nil, errNotAReply
}
