namespace MeshMeet.Web.Infrastructure;

/// <summary>This process's instance id: new on every start, so a restart never mistakes the old process's seats
/// for its own live ones. <c>Cluster:InstanceName</c> (say, the host or port) prefixes it, for people reading it.</summary>
public sealed class InstanceIdentity(IConfiguration config)
{
    public string Id { get; } = Make(config["Cluster:InstanceName"]);

    private static string Make(string? name)
    {
        var random = SecureId.New(9);
        var prefix = new string((name ?? "").Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.').Take(19).ToArray());
        return prefix.Length == 0 ? random : $"{prefix}-{random}";
    }
}
