using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using SessionRoom.Data;
using SessionRoom.IntegrationTests.Live;
using SessionRoom.Testing;

namespace SessionRoom.IntegrationTests.Hardening;

/// <summary>A live server with the API.md call limit (20 per second), not the lifted one of <see cref="LiveServer"/>.</summary>
public sealed class DefaultLimitsServer : LiveServer
{
    public DefaultLimitsServer()
        : base(null)
    {
    }
}

/// <summary>
/// Makes the kernel answer some system calls of a running process with an error, as a full disk
/// (ENOSPC) or a file system gone read-only (EROFS) would: <c>strace</c> attaches to every thread
/// and injects the error until it is stopped, then detaches and the calls work again. This is the
/// one way that reaches files a process already has open without privileges to mount file systems
/// (a remount read-only is refused while files are open for writing, and chmod does not stop root).
/// It needs <c>strace</c> and permission to trace the server (root, or ptrace allowed between
/// siblings); <see cref="FaultFactAttribute"/> skips the tests, saying why, where that is missing.
/// </summary>
public sealed class SyscallFault : IAsyncDisposable
{
    private readonly Process _strace;
    private readonly StringBuilder _stderr = new();

    private SyscallFault(Process strace) => _strace = strace;

    /// <summary>Whether faults can be injected here; null when they can, else why not.</summary>
    public static string? Unavailable => Probe.Value;

    private static readonly Lazy<string?> Probe = new(ProbeStrace);

    /// <summary>
    /// Starts failing <paramref name="syscalls"/> of process <paramref name="pid"/> with
    /// <paramref name="errno"/> (e.g. "ENOSPC"), and returns once strace has attached to all its threads.
    /// </summary>
    public static async Task<SyscallFault> StartAsync(int pid, string errno, params string[] syscalls)
    {
        var start = new ProcessStartInfo("strace")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-f", "-o", "/dev/null", "-e", "trace=" + string.Join(',', syscalls) })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var call in syscalls)
        {
            start.ArgumentList.Add("-e");
            start.ArgumentList.Add($"inject={call}:error={errno}");
        }
        start.ArgumentList.Add("-p");
        start.ArgumentList.Add(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var fault = new SyscallFault(Process.Start(start) ?? throw new InvalidOperationException("Could not start strace."));
        fault._strace.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (fault._stderr)
                {
                    fault._stderr.AppendLine(e.Data);
                }
            }
        };
        fault._strace.BeginErrorReadLine();
        fault._strace.BeginOutputReadLine();

        // strace says "Process N attached with M threads" once it has seized them all: the fault is on.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!fault.Stderr.Contains(" attached", StringComparison.Ordinal))
        {
            if (fault._strace.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"strace did not attach to {pid}:\n{fault.Stderr}");
            }
            await Task.Delay(20);
        }
        await Task.Delay(200);
        return fault;
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Ends the fault: strace detaches (SIGINT) and the process's calls work again.</summary>
    public async Task StopAsync()
    {
        if (!_strace.HasExited)
        {
            _ = kill(_strace.Id, SigInt);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _strace.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // A tracer that will not stop: the kernel detaches the tracees when it dies.
                _strace.Kill();
                await _strace.WaitForExitAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _strace.Dispose();
    }

    /// <summary>The id of the live server's process (found by its data folder, which is unique).</summary>
    public static int ServerPid(AppServer app)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(app.DataDirectory, StringComparison.Ordinal) && cmdline.Contains("SessionRoom.Web", StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        throw new InvalidOperationException($"No server process uses {app.DataDirectory}.");
    }

    private static string? ProbeStrace()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "Fault injection uses strace, which is Linux only.";
        }
        Process? target = null;
        try
        {
            // Trace a sibling process, as the tests trace the server.
            target = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false });
            if (target is null)
            {
                return "Could not start a process to trace.";
            }
            using var strace = Process.Start(new ProcessStartInfo("strace", $"-o /dev/null -e trace=none -p {target.Id}")
            {
                UseShellExecute = false,
                RedirectStandardError = true,
            });
            if (strace is null)
            {
                return "strace is not installed.";
            }
            var attached = strace.WaitForExit(1_000) ? null : "yes";
            if (attached is null)
            {
                return $"strace cannot trace the server here (ptrace not permitted): {strace.StandardError.ReadToEnd().Trim()}";
            }
            _ = kill(strace.Id, SigInt);
            if (!strace.WaitForExit(5_000))
            {
                strace.Kill();
            }
            return null;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"strace is not installed ({e.Message}).";
        }
        finally
        {
            target?.Kill();
            target?.Dispose();
        }
    }

    private const int SigInt = 2;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}

/// <summary>A test that injects system call faults: skipped, with the reason, where that cannot be done.</summary>
public sealed class FaultFactAttribute : FactAttribute
{
    public FaultFactAttribute()
    {
        if (SyscallFault.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>Reads the server's SQLite file directly (WAL lets it run beside the server) to check what was stored.</summary>
public static class StoredLog
{
    public static SqliteConnection Open(AppServer app)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(app.DataDirectory, Db.FileName),
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        connection.Open();
        connection.Execute("PRAGMA busy_timeout = 5000;");
        return connection;
    }

    /// <summary>clientEventId to seq of every event of the session.</summary>
    public static Dictionary<Guid, long> Seqs(AppServer app, Guid sessionId)
    {
        using var c = Open(app);
        return c.Query<(string Id, long Seq)>(
                "SELECT client_event_id, seq FROM events WHERE session_id = @sessionId", new { sessionId = sessionId.ToString() })
            .ToDictionary(r => Guid.Parse(r.Id), r => r.Seq);
    }

    /// <summary>
    /// Nothing half-written: every session's seq is 1..N without a gap, every event with text has its
    /// one search row (and no search row lacks its event), every tag row has its event, and the
    /// trigger-kept tag counts equal a recount. Returns the number of events checked.
    /// </summary>
    public static long AssertConsistent(AppServer app)
    {
        using var c = Open(app);
        using var tx = c.BeginTransaction(deferred: true);
        Assert.Equal("ok", c.ExecuteScalar<string>("PRAGMA integrity_check", transaction: tx));
        Assert.Empty(c.Query("PRAGMA foreign_key_check", transaction: tx));

        var gaps = c.Query<(string Session, long Count, long Max)>(
            "SELECT session_id, COUNT(*), MAX(seq) FROM events GROUP BY session_id", transaction: tx).ToList();
        foreach (var (session, count, max) in gaps)
        {
            Assert.True(count == max, $"session {session}: {count} events but seq runs to {max} (a gap)");
        }

        var withText = c.ExecuteScalar<long>("SELECT COUNT(*) FROM events WHERE text IS NOT NULL", transaction: tx);
        var searchRows = c.ExecuteScalar<long>("SELECT COUNT(*) FROM event_text", transaction: tx);
        Assert.Equal(withText, searchRows);
        var unmatched = c.ExecuteScalar<long>(
            """
            SELECT COUNT(*) FROM events e
            WHERE e.text IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM event_text t WHERE t.session_id = e.session_id AND t.seq = e.seq AND t.text = e.text)
            """, transaction: tx);
        Assert.True(unmatched == 0, $"{unmatched} events with text have no matching search row");

        var orphanTags = c.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM event_tags t WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.session_id = t.session_id AND e.seq = t.seq)",
            transaction: tx);
        Assert.Equal(0, orphanTags);
        var countsDiffer = 0L;
        foreach (var (table, column) in new[] { ("tag_prompt_counts", "prompt_id"), ("tag_participant_counts", "participant_id") })
        {
            countsDiffer += c.ExecuteScalar<long>(
                $"""
                WITH recount AS (
                    SELECT t.session_id, t.tag, COALESCE(e.{column}, '') AS k, COUNT(*) AS n
                    FROM event_tags t JOIN events e ON e.session_id = t.session_id AND e.seq = t.seq
                    GROUP BY 1, 2, 3)
                SELECT (SELECT COUNT(*) FROM (SELECT * FROM recount EXCEPT SELECT session_id, tag, {column}, n FROM {table} WHERE n > 0))
                     + (SELECT COUNT(*) FROM (SELECT session_id, tag, {column}, n FROM {table} WHERE n > 0 EXCEPT SELECT * FROM recount))
                """, transaction: tx);
        }
        Assert.True(countsDiffer == 0, $"{countsDiffer} tag counts differ from a recount");
        return gaps.Sum(g => g.Count);
    }
}

/// <summary>Small helpers shared by the fault tests.</summary>
public static class FaultHelp
{
    /// <summary>GET /healthz answers 200 (the server is up and reads its database).</summary>
    public static async Task AssertHealthyAsync(AppServer app)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var response = await http.GetAsync($"{app.BaseUrl}/healthz");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    public static void AssertGapFree(IEnumerable<long> seqs)
    {
        var list = seqs.ToList();
        Assert.Equal(Enumerable.Range(1, list.Count).Select(i => (long)i), list);
    }
}
