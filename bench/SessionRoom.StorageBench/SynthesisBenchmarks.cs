using BenchmarkDotNet.Attributes;
using CsvHelper;
using SessionRoom.Core.Exports;
using SessionRoom.Core.Synthesis;
using SessionRoom.Data;
using SessionRoom.Data.Stores;
using SessionRoom.Data.Synthesis;

namespace SessionRoom.StorageBench;

/// <summary>
/// The synthesis reads of the review on a generated study (<see cref="SynthesisData"/>) of 10,000 and 100,000
/// events in 50 sessions, each call as the endpoint makes it (the same store calls, the same checks before them),
/// on the cached SQLite file opened by <see cref="Db"/>. One operation is one request's server-side work.
/// Targets (issue 6): a timeline page, tag counts and both matrices under 50 ms; a search under 20 ms; the
/// study's CSV export under 1 s, streamed.
/// </summary>
[MemoryDiagnoser]
public class SynthesisBenchmarks
{
    /// <summary>Per benchmark method: what it stands for in the tables and its target in milliseconds (null: a diagnostic, no target).</summary>
    public static readonly IReadOnlyDictionary<string, (string Label, double? TargetMs)> Targets = new Dictionary<string, (string, double?)>
    {
        [nameof(TimelineByTag)] = ("timeline: page of 100, filtered by tag (one session)", 50),
        [nameof(TimelineByParticipant)] = ("timeline: page of 100, filtered by participant (one session)", 50),
        [nameof(MatricesStudy)] = ("tag counts + tag × prompt + tag × participant, study (one read)", 50),
        [nameof(MatricesSession)] = ("tag counts + tag × prompt + tag × participant, one session (one read)", 50),
        [nameof(SearchCommonWord)] = ($"search, common word (\"{SynthesisData.CommonWord}\", first 100 by rank)", 20),
        [nameof(SearchRarePhrase)] = ($"search, rare phrase ({SynthesisData.RarePhrase})", 20),
        [nameof(ExportStudyCsv)] = ("study CSV export, streamed to Stream.Null", 1_000),
        [nameof(ExportStudyReadOnly)] = ("(diagnostic) the export's reads alone: every event as StreamCsvEvents hands it over, no CSV", null),
    };

    // As ExportApi writes it.
    private static readonly CsvWriterOptions Csv = new() { Injection = CsvInjection.Escape, WriteByteOrderMark = true };

    private SynthesisData _data = default!;
    private Db _db = default!;
    private StudyStore _studies = default!;
    private SessionStore _sessions = default!;
    private TimelineStore _timeline = default!;
    private MatrixStore _matrices = default!;
    private ExportStore _export = default!;

    [Params(10_000, 100_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = SynthesisData.Ensure(Events, Console.WriteLine);
        _db = new Db(_data.Directory);
        var clock = TimeProvider.System;
        _studies = new StudyStore(_db, clock);
        _sessions = new SessionStore(_db, clock);
        _timeline = new TimelineStore(_db);
        _matrices = new MatrixStore(_db);
        _export = new ExportStore(_db);
        // The generated file must hold what the benchmarks ask for, or they would measure empty answers. A session of
        // the 10k study has 200 events, so its filtered timeline is shorter than a page: that page reads the whole session.
        var shape = Shape();
        if (shape.TagPage == 0 || shape.ParticipantPage == 0 || shape.CommonHits != 100 || shape.RareHits == 0
            || (Events >= 100_000 && (shape.TagPage != 100 || shape.ParticipantPage != 100)))
        {
            throw new InvalidOperationException($"The generated study of {Events} events is too thin: {shape}.");
        }
    }

    /// <summary>What the benchmarks get back: page sizes, search hits (at most 100), the export's rows.</summary>
    public sealed record ResultShape(int TagPage, int ParticipantPage, int CommonHits, int RareHits, int MatrixPromptRows, int MatrixParticipantRows, int MatrixTags);

    public ResultShape Shape()
    {
        var m = MatricesStudy();
        return new ResultShape(
            TimelineByTag().Events.Count, TimelineByParticipant().Events.Count, SearchCommonWord().Count, SearchRarePhrase().Count,
            m.ByPrompt.Rows.Count, m.ByParticipant.Rows.Count, m.ByPrompt.Tags.Count);
    }

    /// <summary>Closes the pooled connections to this size's file before the next size opens its own.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _db = default!;
    }

    /// <summary><c>GET /api/sessions/{id}/timeline?tag=confused</c>: the first page.</summary>
    [Benchmark]
    public TimelinePage TimelineByTag()
    {
        _ = _sessions.Get(_data.SessionId) ?? throw new InvalidOperationException("No session.");
        var filter = TimelineRules.Check(new TimelineFilter(Tag: SynthesisData.TimelineTag));
        return _timeline.Page(_data.SessionId, filter, 0, TimelineRules.Limit(null));
    }

    /// <summary><c>GET /api/sessions/{id}/timeline?participantId=…</c>: events by or about P3, the first page.</summary>
    [Benchmark]
    public TimelinePage TimelineByParticipant()
    {
        _ = _sessions.Get(_data.SessionId) ?? throw new InvalidOperationException("No session.");
        var filter = TimelineRules.Check(new TimelineFilter(ParticipantId: _data.ParticipantId));
        return _timeline.Page(_data.SessionId, filter, 0, TimelineRules.Limit(null));
    }

    /// <summary>The tag matrix page and <c>GET /api/studies/{id}/matrix</c> for the whole study: tag totals and both matrices.</summary>
    [Benchmark]
    public TagMatrices MatricesStudy() => _matrices.Compute(_data.StudyId, null);

    /// <summary>The same for one session of the study.</summary>
    [Benchmark]
    public TagMatrices MatricesSession() => _matrices.Compute(_data.StudyId, _data.SessionId);

    /// <summary><c>GET /api/studies/{id}/search?q=price</c>: a word in about a tenth of the texts (a prefix match, ranked).</summary>
    [Benchmark]
    public IReadOnlyList<SearchHit> SearchCommonWord() => Search(SynthesisData.CommonWord);

    /// <summary><c>GET /api/studies/{id}/search?q="dark mode toggle"</c>: an exact phrase in a few texts.</summary>
    [Benchmark]
    public IReadOnlyList<SearchHit> SearchRarePhrase() => Search(SynthesisData.RarePhrase);

    /// <summary><c>GET /api/studies/{id}/export?format=csv</c>, written as ExportApi writes it, to <see cref="Stream.Null"/>.</summary>
    [Benchmark]
    public Task<long> ExportStudyCsv() => WriteStudyCsvAsync(_export, _data.StudyId, Stream.Null);

    /// <summary>Not a request: the export without CSV, to show how much of it is reading the events.</summary>
    [Benchmark]
    public long ExportStudyReadOnly()
    {
        var (_, sessionIds) = _export.Study(_data.StudyId) ?? throw new InvalidOperationException("No study.");
        long rows = 0;
        foreach (var id in sessionIds)
        {
            _ = _export.Source(id);
            foreach (var e in _export.StreamCsvEvents(id))
            {
                rows += e.Seq > 0 ? 1 : 0;
            }
        }
        return rows;
    }

    private IReadOnlyList<SearchHit> Search(string q)
    {
        _ = _studies.Get(_data.StudyId) ?? throw new InvalidOperationException("No study.");
        var filter = TimelineRules.Check(new TimelineFilter(Text: q));
        return _timeline.Search(_data.StudyId, filter.Text!, TimelineRules.Limit(null));
    }

    /// <summary>
    /// The CSV branch of ExportApi's study export (names left out, the default): a header with a leading session
    /// column, then each session's events as <see cref="ExportStore.StreamCsvEvents"/> hands them over. Returns the rows written.
    /// </summary>
    public static async Task<long> WriteStudyCsvAsync(ExportStore store, Guid studyId, Stream body, CancellationToken ct = default)
    {
        var (_, sessionIds) = store.Study(studyId) ?? throw new InvalidOperationException("No study.");
        const bool IncludeNames = false;
        long rows = 0;
        await using var csv = CsvWriter.Create(body, Csv, leaveOpen: true);
        csv.WriteHeader(["session", .. ExportCsv.Header(IncludeNames)]);
        foreach (var id in sessionIds)
        {
            if (store.Source(id) is not { } source)
            {
                continue;
            }
            foreach (var e in store.StreamCsvEvents(id))
            {
                await csv.WriteRecordAsync([source.Session.Title, .. ExportCsv.Row(source, e, IncludeNames)], ct);
                rows++;
            }
        }
        await csv.FlushAsync(ct);
        return rows;
    }
}
