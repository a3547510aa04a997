package scenarios

import (
	"strconv"
	"strings"

	"github.com/faultline/faultline/nodes/raftkv"
	"github.com/faultline/faultline/sim"
)

// The built-in protocols.
func init() {
	RegisterNode(NodeKind{
		Name: "raftkv",
		Help: "Raft-replicated key-value store (nodes/raftkv): PreVote, CheckQuorum, snapshots, sessions, ReadIndex/lease reads",
		Params: []ParamSpec{
			{"election_timeout", "150ms..300ms", "randomized election timeout range"},
			{"heartbeat", "50ms", "leader heartbeat interval"},
			{"snapshot_threshold", "1000", "applied entries kept in the log before a snapshot"},
			{"read_mode", "readindex", "how reads are served: readindex, log or lease"},
			{"lease_drift_bound", "100000ppm", "clock drift lease reads assume (read_mode: lease)"},
			{"bugs", "", "planted bugs, comma-separated: " + strings.Join(raftBugNames, ", ")},
		},
		CheckParams: func(ps []Param) error { _, err := raftConfig(ps); return err },
		Build: func(ps []Param, size int) (*Protocol, error) {
			cfg, err := raftConfig(ps)
			if err != nil {
				return nil, err
			}
			return raftProtocol(cfg), nil
		},
	})
}

var raftBugNames = []string{"follower-reads", "lease-unbounded", "vote-not-persisted", "figure8-commit", "ack-before-sync", "no-sessions"}

func raftConfig(ps []Param) (raftkv.Config, error) {
	var c raftkv.Config
	for _, p := range ps {
		switch p.Key {
		case "election_timeout":
			r, err := ParseRange(p.Value)
			if err != nil || r.Min <= 0 {
				return c, ParamError(p, "want a positive duration range such as 150ms..300ms, got %q", p.Value)
			}
			c.ElectionTimeoutMin, c.ElectionTimeoutMax = r.Min, r.Max
		case "heartbeat":
			d, err := sim.ParseDuration(p.Value)
			if err != nil || d <= 0 {
				return c, ParamError(p, "want a positive duration such as 50ms, got %q", p.Value)
			}
			c.HeartbeatInterval = d
		case "snapshot_threshold":
			n, err := strconv.Atoi(p.Value)
			if err != nil || n < 1 {
				return c, ParamError(p, "want a positive number of entries, got %q", p.Value)
			}
			c.SnapshotThreshold = n
		case "read_mode":
			m, err := raftkv.ParseReadMode(p.Value)
			if err != nil {
				return c, ParamError(p, "want readindex, log or lease, got %q", p.Value)
			}
			c.ReadMode = m
		case "lease_drift_bound":
			v, err := ParsePPM(p.Value)
			if err != nil || v >= 1_000_000 {
				return c, ParamError(p, "want a drift bound such as 100000ppm, got %q", p.Value)
			}
			c.LeaseDriftBoundPPM = v
		case "bugs":
			for _, b := range strings.Split(p.Value, ",") {
				switch strings.TrimSpace(b) {
				case "":
				case "follower-reads":
					c.Bugs.FollowerReads = true
				case "lease-unbounded":
					c.Bugs.LeaseUnbounded = true
				case "vote-not-persisted":
					c.Bugs.VoteNotPersisted = true
				case "figure8-commit":
					c.Bugs.Figure8Commit = true
				case "ack-before-sync":
					c.Bugs.AckBeforeSync = true
				case "no-sessions":
					c.Bugs.NoSessions = true
				default:
					return c, ParamError(p, "unknown bug %q (want: %s)", strings.TrimSpace(b), strings.Join(raftBugNames, ", "))
				}
			}
		default:
			return c, UnknownParam(p, nodeKinds["raftkv"].Params)
		}
	}
	if err := c.WithDefaults().Validate(); err != nil {
		pos := Pos{}
		if len(ps) > 0 {
			pos = ps[0].Pos
		}
		return c, &Error{Pos: pos, Field: "cluster.params", Msg: strings.TrimPrefix(err.Error(), "raftkv: ")}
	}
	return c, nil
}
