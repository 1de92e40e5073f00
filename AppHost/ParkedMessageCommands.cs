using Microsoft.Extensions.Configuration;

namespace MasStack.AppHost;

/// <summary>What the services need from the AppHost: the settings they share, and the operator's commands in the dashboard.</summary>
internal static class ParkedMessageCommands
{
    /// <summary>The sections of the AppHost's configuration that every service is given.</summary>
    private static readonly string[] ServiceSections = ["Messaging", "Signup", "WorkOrders", "Calendar", "Migrations", "Faults"];

    /// <summary>
    /// The AppHost's <c>Messaging:*</c> (e.g. <c>Messaging:Redelivery:Delays</c>), <c>Signup:*</c> (<c>Signup:Timeout</c>)
    /// <c>WorkOrders:*</c> (<c>WorkOrders:MaxAttempts</c>), <c>Calendar:*</c> (<c>Calendar:Directory</c>), <c>Migrations:*</c> (<c>Migrations:Timeout</c>) and the test-only <c>Faults:*</c> settings passed on to the service, so that one setting (or a
    /// test's argument) reaches every instance.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceSettings(this IResourceBuilder<ProjectResource> service, IConfiguration configuration)
    {
        foreach (var (key, value) in ServiceSections.SelectMany(section => configuration.GetSection(section).AsEnumerable()))
            if (value is not null) service.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
        return service;
    }

    /// <summary>
    /// "List parked messages" and "Replay parked messages" on the service's resource: the operator endpoints of
    /// <c>ParkedMessagesApi</c>, called on the service itself.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithParkedMessageCommands(this IResourceBuilder<ProjectResource> service, string name)
    {
        var path = $"/api/v1/operations/{name}/parked-messages";
        service.WithHttpCommand(path, "List parked messages", commandName: "list-parked-messages", commandOptions: new HttpCommandOptions
        {
            Method = HttpMethod.Get,
            Description = "The messages that exhausted their redeliveries, per consumer queue.",
            IconName = "MailInbox",
            ResultMode = HttpCommandResultMode.Json,
        });
        service.WithHttpCommand($"{path}/replay", "Replay parked messages", commandName: "replay-parked-messages", commandOptions: new HttpCommandOptions
        {
            Method = HttpMethod.Post,
            Description = "Sends every parked message of this service back to its consumer's queue.",
            ConfirmationMessage = $"Send every parked message of {name} back to its consumer? Fix their cause first.",
            IconName = "ArrowRedo",
            ResultMode = HttpCommandResultMode.Json,
        });
        return service;
    }
}
