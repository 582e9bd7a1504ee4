package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

type referenceCmd struct {
	Upload referenceUploadCmd `cmd:"" help:"Upload a model version's reference (training) dataset for data-drift checks."`
}

type referenceUploadCmd struct {
	Server  string        `help:"modelwatch's URL." default:"http://localhost:8080"`
	Model   string        `help:"Model name." required:""`
	Version string        `help:"Model version." required:""`
	Format  string        `help:"File format: csv, ndjson or parquet (default: from the file name)." enum:",csv,ndjson,parquet" default:""`
	Token   string        `help:"Bearer token for the API, when it requires one." env:"MODELWATCH_TOKEN"`
	Timeout time.Duration `help:"How long to wait for the upload." default:"5m"`
	File    string        `arg:"" help:"The dataset file." type:"existingfile"`
}

func (c *referenceUploadCmd) Run(e *env) error {
	format := c.Format
	if format == "" {
		switch strings.ToLower(filepath.Ext(c.File)) {
		case ".csv":
			format = "csv"
		case ".ndjson", ".jsonl":
			format = "ndjson"
		case ".parquet", ".pq":
			format = "parquet"
		default:
			return fmt.Errorf("cannot tell the format of %q from its name: pass --format csv|ndjson|parquet", c.File)
		}
	}
	data, err := os.ReadFile(c.File)
	if err != nil {
		return fmt.Errorf("read %s: %w", c.File, err)
	}
	u := fmt.Sprintf("%s/api/v1/models/%s/versions/%s/reference?format=%s&filename=%s", strings.TrimRight(c.Server, "/"),
		url.PathEscape(c.Model), url.PathEscape(c.Version), format, url.QueryEscape(filepath.Base(c.File)))
	req, err := http.NewRequestWithContext(e.ctx, http.MethodPut, u, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := (&http.Client{Timeout: c.Timeout}).Do(req)
	if err != nil {
		return fmt.Errorf("upload to %s: %w", c.Server, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
			return fmt.Errorf("upload refused (%s): %s", resp.Status, e.Error.Message)
		}
		return fmt.Errorf("upload refused (%s): %s", resp.Status, bytes.TrimSpace(body))
	}
	var ref struct {
		Rows    int      `json:"rows"`
		Columns []string `json:"columns"`
	}
	if err := json.Unmarshal(body, &ref); err != nil {
		return fmt.Errorf("read the server's answer: %w", err)
	}
	fmt.Fprintf(e.stdout, "uploaded %s as the reference of %s %s: %d rows, %d columns (%s)\n",
		filepath.Base(c.File), c.Model, c.Version, ref.Rows, len(ref.Columns), strings.Join(ref.Columns, ", "))
	return nil
}
