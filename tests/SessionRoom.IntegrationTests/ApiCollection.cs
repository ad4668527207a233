namespace SessionRoom.IntegrationTests;

/// <summary>The HTTP test classes share one running app (one temp data directory) to keep the suite fast.</summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<SessionRoomFactory>
{
    public const string Name = "api";
}
