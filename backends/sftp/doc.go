// Package sftp is a store.Backend for a folder on an SFTP server (OpenSSH's
// sftp-server and compatible servers), on github.com/pkg/sftp and
// golang.org/x/crypto/ssh. Import it under another name where pkg/sftp is
// also used:
//
//	import sftpstore "github.com/remotestore/remotestore/backends/sftp"
//
// # URL and config
//
//	sftp://user@host/srv/data                     absolute folder /srv/data
//	sftp://user@host:2222/srv/data?key_file=~/.ssh/id_ed25519
//	sftp://user@host/~/exports                    folder "exports" in the login folder
//	sftp://user@host                              the login folder itself
//	sftp://user@[2001:db8::1]:2222/data           an IPv6 address
//
// Without a user the current user's name is taken, as ssh does. Query
// parameters, each optional; any other key is an error:
//
//	key_file=PATH                  private key file ("~/" is the home folder)
//	key_passphrase_env=VAR         the key's passphrase is in $VAR
//	password_env=VAR               log in with the password in $VAR
//	no_agent=true                  do not ask the ssh-agent at $SSH_AUTH_SOCK
//	known_hosts=PATH[,PATH…]       known_hosts files (default ~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts)
//	host_key=SHA256:…              pin the host key by fingerprint (or "ssh-ed25519 AAAA…")
//	insecure_ignore_host_key=true  accept any host key (tests, trusted networks)
//	create_root=true               create the folder (and parents) if missing
//	sessions=N                     SFTP sessions to spread operations over (default 4)
//	max_packet=BYTES               bytes per read/write request (default 32768; OpenSSH takes up to 261120)
//	concurrency=N                  requests in flight per file (default 64)
//	timeout=30s                    bound on connecting and logging in
//	keepalive=30s                  keepalive interval (negative: none)
//	no_sync=true                   skip fsync of written files
//
// Secrets are refused in URLs (a "user:password@" too): a password or key
// passphrase comes from the environment (password_env, key_passphrase_env)
// or a YAML config, where `type: sftp` takes the Config fields as options:
//
//	backends:
//	  partner:
//	    type: sftp
//	    options:
//	      host: sftp.partner.example
//	      port: 2222
//	      user: etl
//	      path: /outgoing
//	      key_file: /etc/secrets/partner_ed25519
//	      key_passphrase: ${PARTNER_KEY_PASSPHRASE}
//	      known_hosts: /etc/secrets/partner_known_hosts
//
// private_key takes a key's content instead of a file (private_key:
// ${PARTNER_KEY}), and password a password. Values taken from the
// environment and every store.Secret field never appear in errors.
//
// # Logging in
//
// Keys are offered first: key_file or private_key (decrypted with
// key_passphrase when encrypted), or, when neither is set, the default
// identities ~/.ssh/id_ed25519, id_ecdsa and id_rsa where they exist and
// are not encrypted; then the keys of the ssh-agent at $SSH_AUTH_SOCK
// (unless no_agent); then the password, as password and as a
// keyboard-interactive password prompt. A refused login fails with
// store.ErrPermission, naming what was tried (never a secret).
//
// # Host keys
//
// The server's host key is checked against known_hosts
// (golang.org/x/crypto/ssh/knownhosts: hashed names, [host]:port entries,
// @cert-authority and @revoked markers), asking the server for a key type
// that known_hosts holds for it. An unknown host and a changed key both
// fail with store.ErrPermission and a message naming the offered key's
// fingerprint and, for a mismatch, the known_hosts lines that disagree.
// host_key pins one key (a fingerprint as `ssh-keygen -lf` prints it, or
// the public key). insecure_ignore_host_key turns the check off, which
// leaves the connection open to a man in the middle.
//
// # Capabilities
//
// read, range-read, write, list, delete, real-folders, mod-time (one-second
// resolution), and atomic-write and atomic-move when the server has the
// posix-rename@openssh.com extension (OpenSSH has; without it a replacing
// write cannot be one step and the two are not declared). No
// server-side-copy (Copy streams through this process) and no etag.
//
// Optional interfaces: store.Mover (one rename), store.FolderDeleter,
// store.ReaderAtOpener, store.Pinger and store.Aser (As(**sftp.Client) and
// As(**ssh.Client) yield the backend's own session and connection).
//
// # Writes
//
// A write goes to a hidden temporary file in the target's folder, named
// ".<name>.tmp-<16 hex digits>" and created exclusively. Commit fsyncs it
// (fsync@openssh.com, unless no_sync) and publishes it: with Overwrite by
// posix-rename@openssh.com, which replaces the target in one atomic step,
// so readers see the old file or the new, never a part; without Overwrite
// by a hard link (hardlink@openssh.com; a plain SFTP rename where the
// server lacks it), which fails when the target exists, so of two racing
// writers exactly one succeeds and the other gets store.ErrAlreadyExists;
// the temporary name is then removed. Abort, Close without Commit and a
// failed Commit remove the temporary file and the folders the write made.
// Temporary files never appear in List, and writing to a name of that
// pattern fails with store.ErrInvalidPath. A dropped connection can leave
// one behind; it stays hidden, and DeleteFolder removes it.
//
// Write calls are gathered in a buffer of MaxPacket × Concurrency/2 bytes
// (1 MiB by default), sent in concurrent requests while the next fills;
// io.Copy into a writer (Store.Write) streams through io.ReaderFrom with
// Concurrency requests in flight and no buffer of its own.
//
// # Reads
//
// A stream's io.WriterTo (what io.Copy uses) runs pkg/sftp's pipelined
// reader, Concurrency read requests in flight throughout (a range up to
// 2 MiB is one ReadAt instead, so a short range is not overshot). Read
// fills a 256 KiB buffer with concurrent requests (or reads straight into
// a larger buffer); when a second such read shows the caller reads on
// through a longer range, the same pipeline
// starts in the background and Read drains it. Seekable reads
// (store.ReaderAtOpener) split large ReadAt calls into concurrent requests
// and serve reads up to 64 KiB from a per-reader cache of 256 KiB blocks,
// so a Parquet reader's many small reads cost few round trips. Opening a
// stream costs one round trip (the open and a Stat that refuses folders go
// out together); a seekable reader takes two (open, then fstat for the
// exact size, which is fixed from then on).
//
// # Connection
//
// One SSH connection per backend, on which up to Sessions SFTP sessions
// are opened as concurrent work needs them: sequential use stays on one,
// concurrent use (parallel reads, many writers) spreads over them, since a
// session is one single-threaded sftp-server process on the server. A
// keepalive request every KeepAlive finds a dead connection early. When
// the connection has died (server restart, idle connection cut by a
// firewall), the next operation dials a new one; idempotent operations
// (Stat, List, opening a file, Ping) that fail because the connection died
// under them are tried once more on a new connection. Open files and
// writers belong to their connection: they fail with store.ErrUnavailable
// when it dies, and the caller retries the read or write.
//
// # Paths
//
// Store paths are cleaned and joined below the root folder, so no ".."
// reaches the server. Symbolic links on the server are followed by the
// server: one pointing outside the root is followed too (confine an account
// with the server's ChrootDirectory when that matters). List follows links
// (one Stat each) and skips dangling ones; Delete removes a link, never its
// target. List reads a folder's entries whole before yielding them (SFTP
// sends them in batches of about 100, and pkg/sftp collects them); entries
// whose names are not store paths are skipped.
//
// # Errors
//
// Classify maps: SSH_FX_NO_SUCH_FILE → store.ErrNotFound;
// SSH_FX_PERMISSION_DENIED, a refused login or host key →
// store.ErrPermission; SSH_FX_OP_UNSUPPORTED → store.ErrNotSupported; a
// lost connection, a refused or reset TCP connection, a timeout →
// store.ErrUnavailable. OpenSSH answers many other failures (an existing
// target, a folder in the way, a folder not empty) with a bare
// SSH_FX_FAILURE; the backend then looks with a Stat and reports
// store.ErrAlreadyExists, store.ErrIsFolder or store.ErrNotFolder itself.
// The pkg/sftp error (*sftp.StatusError) stays reachable with errors.As.
package sftp
