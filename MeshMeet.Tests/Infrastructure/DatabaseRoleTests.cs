using MeshMeet.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace MeshMeet.Tests.Infrastructure;

/// <summary>The app needs no superuser: it runs, as under scripts/run, as the non-superuser owner of its database.</summary>
[Collection(AppCollection.Name)]
public sealed class DatabaseRoleTests(MeshMeetApp app)
{
    [Fact]
    public async Task The_app_connects_as_a_role_that_owns_its_schemas_and_is_not_a_superuser()
    {
        var source = app.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        await using var command = source.CreateCommand("""
            SELECT r.rolsuper, current_user,
                   (SELECT count(*) FROM pg_namespace n WHERE n.nspname IN ('public', 'meshmeet_events') AND pg_get_userbyid(n.nspowner) IN (current_user, 'pg_database_owner'))
            FROM pg_roles r WHERE r.rolname = current_user
            """);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.False(reader.GetBoolean(0));
        Assert.Equal(TestDatabase.AppRole, reader.GetString(1));
        Assert.Equal(2L, reader.GetInt64(2));
    }
}
