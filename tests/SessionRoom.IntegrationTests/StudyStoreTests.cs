using SessionRoom.Data;
using SessionRoom.Core.Studies;
using SessionRoom.Data.Stores;

namespace SessionRoom.IntegrationTests;

public abstract class StudyStoreTests : IDisposable
{
    private readonly TestDatabase _db;
    private readonly StudyStore _studies;
    private readonly SessionStore _sessions;

    protected StudyStoreTests(StorageProvider provider)
    {
        _db = new(provider);
        _studies = new StudyStore(_db.Db, TimeProvider.System);
        _sessions = new SessionStore(_db.Db, TimeProvider.System);
    }

    public void Dispose()
    {
        _db.Dispose();
        GC.SuppressFinalize(this);
    }

    private static ValidSession SessionNamed(string title) => new(title, SessionModes.FocusGroup, null, []);

    /// <summary>What a uniqueness rule of the schema raises reads as a conflict (409, HubException), not as "unavailable" or a 500.</summary>
    [Fact]
    public void UniqueViolation_IsAConflict_NotUnavailable()
    {
        var study = _studies.Create(new ValidStudy("Checkout", null));
        var e = Assert.ThrowsAny<System.Data.Common.DbException>(() => _db.Db.InTransaction((c, tx) =>
            Dapper.SqlMapper.Execute(c, "INSERT INTO studies (id, name, created_utc) VALUES (@Id, 'again', @CreatedUtc)", new { study.Id, study.CreatedUtc }, tx)));

        Assert.True(Db.IsConflict(e));
        Assert.False(Db.IsUnavailable(e));
        Assert.Equal("Checkout", Assert.Single(_studies.List()).Name);
    }

    [Fact]
    public void Create_ThenGet_ReturnsSameStudy()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var created = _studies.Create(new ValidStudy("Checkout", "Find drop-off"));

        var read = _studies.Get(created.Id);

        Assert.NotNull(read);
        Assert.Equal(created.Id, read.Id);
        Assert.Equal("Checkout", read.Name);
        Assert.Equal("Find drop-off", read.Goal);
        Assert.InRange(read.CreatedUtc, before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(created.CreatedUtc, read.CreatedUtc);
    }

    [Fact]
    public void Create_NullGoal_ReadsBackNull()
    {
        var created = _studies.Create(new ValidStudy("No goal", null));
        Assert.Null(_studies.Get(created.Id)!.Goal);
    }

    [Fact]
    public void Get_UnknownId_ReturnsNull()
    {
        Assert.Null(_studies.Get(Guid.NewGuid()));
    }

    [Fact]
    public void List_SeveralStudies_CountsSessionsEach()
    {
        var a = _studies.Create(new ValidStudy("A", null));
        var b = _studies.Create(new ValidStudy("B", "goal b"));
        _sessions.Create(a.Id, SessionNamed("a1"));
        _sessions.Create(a.Id, SessionNamed("a2"));
        _sessions.Create(b.Id, SessionNamed("b1"));
        var c = _studies.Create(new ValidStudy("C", null));

        var list = _studies.List();

        Assert.Equal(3, list.Count);
        Assert.Equal(2, list.Single(s => s.Id == a.Id).SessionCount);
        Assert.Equal(1, list.Single(s => s.Id == b.Id).SessionCount);
        Assert.Equal(0, list.Single(s => s.Id == c.Id).SessionCount);
        Assert.Equal("goal b", list.Single(s => s.Id == b.Id).Goal);
        Assert.Equal("B", list.Single(s => s.Id == b.Id).Name);
    }

    [Fact]
    public void List_SeveralStudies_NewestFirst()
    {
        var clock = new SteppingClock();
        var store = new StudyStore(_db.Db, clock);
        var first = store.Create(new ValidStudy("first", null));
        var second = store.Create(new ValidStudy("second", null));
        var third = store.Create(new ValidStudy("third", null));

        Assert.Equal([third.Id, second.Id, first.Id], store.List().Select(s => s.Id));
    }

    [Fact]
    public void Update_ExistingStudy_ChangesNameAndGoal()
    {
        var study = _studies.Create(new ValidStudy("Old", "old goal"));

        Assert.True(_studies.Update(study.Id, new ValidStudy("New", null)));

        var read = _studies.Get(study.Id)!;
        Assert.Equal("New", read.Name);
        Assert.Null(read.Goal);
        Assert.Equal(study.CreatedUtc, read.CreatedUtc);
    }

    [Fact]
    public void Update_UnknownStudy_ReturnsFalse()
    {
        Assert.False(_studies.Update(Guid.NewGuid(), new ValidStudy("x", null)));
    }

    [Fact]
    public void Delete_StudyWithSessions_RemovesStudyAndCascades()
    {
        var study = _studies.Create(new ValidStudy("Doomed", null), [new CodebookTag("a", "#000000", 1)]);
        var session = _sessions.Create(study.Id, SessionNamed("s"))!;
        var other = _studies.Create(new ValidStudy("Kept", null));

        Assert.True(_studies.Delete(study.Id));

        Assert.Null(_studies.Get(study.Id));
        Assert.Null(_sessions.Get(session.Id));
        Assert.Empty(_studies.GetCodebook(study.Id));
        Assert.NotNull(_studies.Get(other.Id));
        Assert.False(_studies.Delete(study.Id));
    }

    [Fact]
    public void SetCodebook_ThenGet_PreservesOrderAndFields()
    {
        var study = _studies.Create(new ValidStudy("S", null));
        CodebookTag[] tags =
        [
            new("zeta", "#111111", 3),
            new("alpha", "#222222", null),
            new("mid", "#333333", 1),
        ];

        Assert.True(_studies.SetCodebook(study.Id, tags));

        Assert.Equal(tags, _studies.GetCodebook(study.Id));
    }

    [Fact]
    public void SetCodebook_Again_ReplacesPreviousTags()
    {
        var study = _studies.Create(new ValidStudy("S", null), [new CodebookTag("old", "#000000", 1)]);
        Assert.Equal("old", _studies.GetCodebook(study.Id).Single().Name);

        Assert.True(_studies.SetCodebook(study.Id, [new CodebookTag("b", "#000000", null), new CodebookTag("a", "#FFFFFF", 9)]));

        Assert.Equal(["b", "a"], _studies.GetCodebook(study.Id).Select(t => t.Name));
        Assert.True(_studies.SetCodebook(study.Id, []));
        Assert.Empty(_studies.GetCodebook(study.Id));
    }

    [Fact]
    public void SetCodebook_UnknownStudy_ReturnsFalse()
    {
        Assert.False(_studies.SetCodebook(Guid.NewGuid(), [new CodebookTag("a", "#000000", null)]));
    }

    /// <summary>A clock that moves one second on every read, so creation order is unambiguous.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now = _now.AddSeconds(1);
    }
}

public sealed class StudyStoreTestsOnSqlite() : StudyStoreTests(StorageProvider.Sqlite);

public sealed class StudyStoreTestsOnPostgres() : StudyStoreTests(StorageProvider.Postgres);
