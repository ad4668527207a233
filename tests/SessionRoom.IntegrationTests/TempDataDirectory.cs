using Microsoft.Data.Sqlite;
using SessionRoom.Data;

namespace SessionRoom.IntegrationTests;

/// <summary>A fresh folder under the system temp directory, deleted (with its SQLite files) on dispose.</summary>
public sealed class TempDataDirectory : IDisposable
{
    public TempDataDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sessionroom-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        // Pooled connections keep the file open; close them before deleting.
        SqliteConnection.ClearAllPools();
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Another test's pool may still hold a handle for a moment; the OS temp cleaner gets the rest.
        }
    }
}

/// <summary>A migrated database in its own temp folder: what every store test starts from.</summary>
public sealed class TestDatabase : IDisposable
{
    private readonly TempDataDirectory _directory = new();

    public TestDatabase()
    {
        Db = new Db(_directory.Path);
        Migrator.Run(Db);
    }

    public Db Db { get; }

    public string DirectoryPath => _directory.Path;

    public void Dispose() => _directory.Dispose();
}
