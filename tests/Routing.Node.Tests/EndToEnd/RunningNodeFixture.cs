namespace Routing.Node.Tests.EndToEnd;

/// <summary>One node started for a whole test class and stopped with SIGTERM afterwards.</summary>
public sealed class RunningNodeFixture : IAsyncLifetime
{
    private readonly string _dir = TestEnvironment.TempDirectory();

    internal NodeUnderTest Node { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Node = new NodeUnderTest(Path.Combine(_dir, "data"));
        Node.Start();
        await Node.WaitReadyAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Node.Process is { HasExited: false } p)
        {
            p.Terminate();
            await p.WaitForExitAsync(TestEnvironment.Scaled(15), CancellationToken.None);
        }

        Node.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying process; the temp folder is cleaned by the OS eventually.
        }
    }
}
