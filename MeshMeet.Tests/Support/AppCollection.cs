namespace MeshMeet.Tests.Support;

/// <summary>Test classes in this collection share one app (and database); each test makes its own users and rooms.</summary>
[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<MeshMeetApp>
{
    public const string Name = "app";
}
