using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;

namespace MeshMeet.Web.Audit;

public static class AuditSetup
{
    public const string Schema = "meshmeet_events";

    /// <summary>Marten on the shared NpgsqlDataSource, in its own schema; one event stream per room.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddScoped<AuditedTransaction>();
        services.AddScoped<AuditQueries>();
        services.AddMarten(Configure)
            .UseNpgsqlDataSource()
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup();
        return services;
    }

    /// <summary>The event store's shape (also what tools and upgrade tests open the store with).</summary>
    public static void Configure(StoreOptions o)
    {
        o.DatabaseSchemaName = Schema;
        o.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        o.Events.StreamIdentity = StreamIdentity.AsGuid;
        o.Events.AddEventTypes(AuditCatalogue.Kinds.Select(k => k.Type));
        // Inline: the summary row commits in the same transaction as the events it counts.
        o.Projections.Add<RoomSummaryProjection>(ProjectionLifecycle.Inline);
        o.Schema.For<RoomSummary>().Index(x => x.RoomId).Index(x => x.OwnerId).Index(x => x.LastActivity);
    }
}
