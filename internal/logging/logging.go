// Package logging builds the process-wide slog logger from Emissary's
// environment variables, so operators keep their existing settings.
package logging

import (
	"io"
	"log/slog"
	"strconv"
	"strings"
)

// Options are the settings a process takes from its environment.
type Options struct {
	// Level is AES_LOG_LEVEL: debug, info, warn(ing) or error; anything
	// else means info.
	Level string
	// JSON is AMBASSADOR_JSON_LOGGING, parsed as a boolean.
	JSON string
	// Command names the busy command, attached to every record so that
	// interleaved output of the supervised processes stays attributable.
	Command string
}

// FromEnv reads Options with getenv (os.Getenv in production).
func FromEnv(getenv func(string) string, command string) Options {
	return Options{Level: getenv("AES_LOG_LEVEL"), JSON: getenv("AMBASSADOR_JSON_LOGGING"), Command: command}
}

// New returns a logger writing to w.
func New(w io.Writer, opts Options) *slog.Logger {
	handlerOpts := &slog.HandlerOptions{Level: level(opts.Level)}
	var h slog.Handler = slog.NewTextHandler(w, handlerOpts)
	if json, _ := strconv.ParseBool(opts.JSON); json {
		h = slog.NewJSONHandler(w, handlerOpts)
	}
	logger := slog.New(h)
	if opts.Command != "" {
		logger = logger.With("cmd", opts.Command)
	}
	return logger
}

func level(s string) slog.Level {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug", "trace":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error", "fatal", "panic":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}
