package twopc

// Delta is one account's change in a transfer.
type Delta struct {
	Account int
	Delta   int64
}

// Balance is one account's balance, as a read's vote reports it.
type Balance struct {
	Account int
	Balance int64
}

// Prepare asks a participant to lock and vote on one attempt of a
// transaction: exclusive locks on the accounts of Deltas (a transfer), or
// shared locks on Accounts (a read, which reports their balances).
// Initial opens an account the participant has never touched.
type Prepare struct {
	Txn       string
	Attempt   uint64
	Exclusive bool
	Deltas    []Delta
	Accounts  []int
	Initial   int64
}

// Vote is a participant's answer to a Prepare; Yes only once the prepare
// record is durable.
type Vote struct {
	Txn      string
	Attempt  uint64
	Yes      bool
	Why      string
	Balances []Balance
}

// Decision tells a participant the outcome of an attempt (for a read,
// Commit false: release the locks).
type Decision struct {
	Txn     string
	Attempt uint64
	Commit  bool
}

// Inquire is a participant in doubt asking the coordinator for the
// decision of an attempt.
type Inquire struct {
	Txn     string
	Attempt uint64
}
