using MeshMeet.Web.Accounts;
using Microsoft.EntityFrameworkCore;

namespace MeshMeet.Web.Infrastructure;

/// <summary>Brings the schema up to date and ensures the configured admin exists, before the app serves anyone.</summary>
internal sealed class StartupTasks(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<MeshMeetDb>().Database.MigrateAsync(ct);
        await scope.ServiceProvider.GetRequiredService<AdminSeeder>().EnsureAdminAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
