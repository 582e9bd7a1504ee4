package archive

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/s3blob"
)

// OpenBucket opens the archive's blob storage:
//
//   - file:///path/to/dir (the directory is created if needed), or a plain
//     directory path;
//   - s3://bucket/prefix?region=…&endpoint=… for S3 and S3-compatible
//     stores; credentials come from the usual AWS environment variables or
//     files. With an endpoint, path-style addressing is the default
//     (use_path_style=false turns it off), as most S3-compatible servers
//     need it.
//
// The URL's path below the bucket is a key prefix; every archive object
// lives under it.
func OpenBucket(ctx context.Context, rawURL string) (*blob.Bucket, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || len(u.Scheme) == 1 { // "C:\..." is a path
		u = &url.URL{Scheme: "file", Path: rawURL}
	}
	switch u.Scheme {
	case "file":
		dir := u.Path
		if u.Host == "." {
			dir = "." + dir
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open archive %s: %w", rawURL, err)
		}
		// Temporary files next to their final name keep writes atomic
		// renames on one file system; no attribute side files.
		b, err := fileblob.OpenBucket(dir, &fileblob.Options{NoTempDir: true, Metadata: fileblob.MetadataDontWrite})
		if err != nil {
			return nil, fmt.Errorf("open archive %s: %w", rawURL, err)
		}
		return b, nil
	case "s3":
		q := u.Query()
		if q.Get("endpoint") != "" && q.Get("use_path_style") == "" && q.Get("s3ForcePathStyle") == "" {
			q.Set("use_path_style", "true")
		}
		prefix := strings.Trim(u.Path, "/")
		if p := q.Get("prefix"); p != "" {
			prefix = strings.Trim(p, "/")
			q.Del("prefix")
		}
		u.Path, u.RawQuery = "", q.Encode()
		b, err := (&s3blob.URLOpener{}).OpenBucketURL(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("open archive %s: %w", redactURL(rawURL), err)
		}
		if prefix != "" {
			b = blob.PrefixedBucket(b, prefix+"/")
		}
		return b, nil
	}
	return nil, fmt.Errorf("open archive %s: unsupported scheme %q (use file:// or s3://)", redactURL(rawURL), u.Scheme)
}

// redactURL hides a password in a URL.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return s
}
