// Package all links every backend into a program, so that store.OpenURL
// and store.LoadConfig know all their URL schemes:
//
//	import _ "github.com/remotestore/remotestore/backends/all"
//
// Each backend registers its driver from its package's init; importing this
// package is the same as importing each backend package for its side effect.
package all

import (
	// az:// and azure:// — Azure Blob Storage (and Azurite).
	_ "github.com/remotestore/remotestore/backends/azure"
	// http:// and https:// — read-only files under a web server's base URL.
	_ "github.com/remotestore/remotestore/backends/http"
	// file:// — folders on the local filesystem.
	_ "github.com/remotestore/remotestore/backends/local"
	// mem:// — an in-memory store (every open is a new, empty store).
	_ "github.com/remotestore/remotestore/backends/memory"
	// s3:// — Amazon S3 and S3-compatible servers.
	_ "github.com/remotestore/remotestore/backends/s3"
	// sftp:// — a folder on an SFTP server (OpenSSH); keys, ssh-agent or password; known_hosts checked.
	_ "github.com/remotestore/remotestore/backends/sftp"
	// sqlite:// and postgres:// — files as rows of an embedded SQLite file or a PostgreSQL database.
	_ "github.com/remotestore/remotestore/backends/sqlblob"
)
