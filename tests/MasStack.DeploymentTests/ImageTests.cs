using System.Text.Json;

namespace MasStack.DeploymentTests;

/// <summary>
/// The images the manifests run are the ones the SDK's container support publishes (<c>dotnet publish … /t:PublishContainer</c>):
/// each project's ContainerRepository, as MSBuild evaluates it, is the repository its Deployment names.
/// </summary>
public sealed class ImageTests
{
    [Fact]
    public async Task Every_project_publishes_the_image_its_Deployment_runs()
    {
        var projects = await AppModel.ProjectsAsync();
        var local = RenderedOverlay.Of(RenderedOverlay.Local);
        var evaluations = projects.Select(project => Task.Run(() =>
        {
            var projectFile = Directory.GetFiles(project.ProjectDirectory, "*.csproj").Single();
            var result = RenderedOverlay.Run("dotnet", ["msbuild", projectFile, "-getProperty:ContainerRepository", "-getProperty:IsPublishable", "-nologo"]);
            Assert.True(result.ExitCode == 0, $"{projectFile}: {result.Output}{result.Errors}");
            var properties = JsonDocument.Parse(result.Output).RootElement.GetProperty("Properties");
            return (project.Name, Repository: properties.GetProperty("ContainerRepository").GetString(), Publishable: properties.GetProperty("IsPublishable").GetString());
        })).ToList();

        foreach (var (name, repository, publishable) in await Task.WhenAll(evaluations))
        {
            Assert.Equal($"masstack/{name}", repository);
            Assert.NotEqual("false", publishable);
            var image = local.Deployment(name)!.Spec.Template.Spec.Containers.Single().Image;
            Assert.EndsWith($"/{repository}", image[..image.LastIndexOf(':')]);
        }
    }
}
