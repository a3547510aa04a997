package etcdraft

import (
	"fmt"

	"github.com/faultline/faultline/nodes"
)

// logger is etcd raft's Config.Logger: it writes through the Env of the
// handler running (set by enter, cleared on exit), into the trace, with no
// timestamp of the host. Debug lines are dropped (etcd raft writes one per
// message); Fatal and Panic panic, as etcd raft expects.
type logger struct {
	env nodes.Env
}

func (l *logger) logf(level, format string, args ...any) {
	if l.env != nil {
		l.env.Logf("raft "+level+": "+format, args...)
	}
}

func (l *logger) Debug(...any)          {}
func (l *logger) Debugf(string, ...any) {}
func (l *logger) Info(v ...any)         { l.logf("info", "%s", fmt.Sprint(v...)) }
func (l *logger) Infof(f string, v ...any) {
	l.logf("info", f, v...)
}
func (l *logger) Warning(v ...any)            { l.logf("warning", "%s", fmt.Sprint(v...)) }
func (l *logger) Warningf(f string, v ...any) { l.logf("warning", f, v...) }
func (l *logger) Error(v ...any)              { l.logf("error", "%s", fmt.Sprint(v...)) }
func (l *logger) Errorf(f string, v ...any)   { l.logf("error", f, v...) }
func (l *logger) Fatal(v ...any)              { panic("etcdraft: raft fatal: " + fmt.Sprint(v...)) }
func (l *logger) Fatalf(f string, v ...any)   { panic("etcdraft: raft fatal: " + fmt.Sprintf(f, v...)) }
func (l *logger) Panic(v ...any)              { panic("etcdraft: raft panic: " + fmt.Sprint(v...)) }
func (l *logger) Panicf(f string, v ...any)   { panic("etcdraft: raft panic: " + fmt.Sprintf(f, v...)) }
