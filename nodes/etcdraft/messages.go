package etcdraft

import (
	"fmt"
	"strconv"

	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"

	"github.com/faultline/faultline/nodes"
)

// RaftMessage carries one etcd raft message between servers in its wire
// form (protobuf, deterministic marshalling), as a real transport would:
// nothing of the sender's memory, protobuf internals included, reaches
// the receiver. In a trace it renders with raft.DescribeMessage. Type is
// the message's raft type, beside the wire as a transport's header would
// be: it names the message (nodes.Envelope), so a trace, a coverage
// report and a message-targeted fault see MsgApp and MsgVote, not one
// RaftMessage.
type RaftMessage struct {
	Type pb.MessageType
	Wire []byte
}

func encodeMessage(m *pb.Message) *RaftMessage {
	return &RaftMessage{Type: m.GetType(), Wire: mustMarshal(m)}
}

// MessageType implements nodes.Envelope: the raft type's name (MsgApp,
// MsgVoteResp, MsgHeartbeat...).
func (m *RaftMessage) MessageType() string { return m.Type.String() }

func (m *RaftMessage) decode() (*pb.Message, error) {
	out := &pb.Message{}
	if err := proto.Unmarshal(m.Wire, out); err != nil {
		return nil, fmt.Errorf("etcdraft: raft message: %w", err)
	}
	return out, nil
}

// Clone implements nodes.Cloner.
func (m *RaftMessage) Clone() nodes.Message {
	return &RaftMessage{Type: m.Type, Wire: append([]byte(nil), m.Wire...)}
}

func (m *RaftMessage) String() string {
	pm, err := m.decode()
	if err != nil {
		return err.Error()
	}
	return raft.DescribeMessage(pm, describeData)
}

// describeData renders an entry's Data: the client write it carries.
func describeData(b []byte) string {
	c, err := decodeCommand(b)
	if err != nil {
		return "?"
	}
	return c.Client.String() + "#" + strconv.FormatUint(c.Seq, 10) + " " + nodes.FormatOp(c.Op)
}
