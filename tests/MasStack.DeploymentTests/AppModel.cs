using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Aspire.Hosting.ApplicationModel;

namespace MasStack.DeploymentTests;

/// <summary>The AppHost's projects and what each references, read from its model without starting anything.</summary>
public sealed record AppModelProject(string Name, IReadOnlyList<string> ProjectReferences, IReadOnlyList<string> ConnectionReferences);

public static class AppModel
{
    public static async Task<IReadOnlyList<AppModelProject>> ProjectsAsync()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.MasStack_AppHost>();
        return builder.Resources.OfType<ProjectResource>().Select(project =>
        {
            var referenced = project.Annotations.OfType<ResourceRelationshipAnnotation>()
                .Where(relation => relation.Type == "Reference").Select(relation => relation.Resource).Distinct().ToList();
            return new AppModelProject(
                project.Name,
                referenced.OfType<ProjectResource>().Select(r => r.Name).ToList(),
                referenced.Where(r => r is not ProjectResource && r is IResourceWithConnectionString).Select(r => r.Name).ToList());
        }).ToList();
    }
}
