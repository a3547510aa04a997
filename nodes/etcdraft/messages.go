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
// the receiver. In a trace it renders with raft.DescribeMessage.
type RaftMessage struct {
	Wire []byte
}

func encodeMessage(m *pb.Message) *RaftMessage { return &RaftMessage{Wire: mustMarshal(m)} }

func (m *RaftMessage) decode() (*pb.Message, error) {
	out := &pb.Message{}
	if err := proto.Unmarshal(m.Wire, out); err != nil {
		return nil, fmt.Errorf("etcdraft: raft message: %w", err)
	}
	return out, nil
}

// Clone implements nodes.Cloner.
func (m *RaftMessage) Clone() nodes.Message {
	return &RaftMessage{Wire: append([]byte(nil), m.Wire...)}
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
