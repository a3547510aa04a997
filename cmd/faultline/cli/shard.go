package cli

import (
	"fmt"
	"os"

	"github.com/faultline/faultline/scenarios"
)

// resolveShard reads run's --shard I/N, or the Indexed Job's environment
// when the flag is not given, and places it in the range first..last; nil
// when the sweep is not sharded.
func resolveShard(flag string, first, last uint64) (*scenarios.ShardOf, error) {
	var s scenarios.Shard
	var err error
	if flag != "" {
		if s, err = scenarios.ParseShard(flag); err != nil {
			return nil, usageError{"--shard: " + err.Error()}
		}
	} else if s, err = scenarios.ShardFromEnv(os.Getenv); err != nil {
		return nil, usageError{err.Error()}
	}
	if !s.Sharded() {
		return nil, nil
	}
	if _, _, ok := s.Range(first, last); !ok {
		return nil, usageError{fmt.Sprintf("shard %s of seeds %d..%d is empty: there are fewer seeds than shards", s, first, last)}
	}
	return &scenarios.ShardOf{Shard: s, First: first, Last: last}, nil
}

// shardNote is the heading's mention of a shard: ", shard 1/4 of 1..1000".
func shardNote(s *scenarios.ShardOf) string {
	if s == nil {
		return ""
	}
	return fmt.Sprintf(", shard %s of %d..%d", s.Shard, s.First, s.Last)
}
