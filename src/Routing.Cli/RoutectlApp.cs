using Routing.Cli.Commands;

namespace Routing.Cli;

/// <summary>
/// The verb dispatcher. The <c>sip</c> group runs locally on files (no node needed) and is handed to
/// <see cref="Sip.SipCommands"/>; every other group talks to a node's admin API.
/// </summary>
public static class RoutectlApp
{
    public static IReadOnlyList<IVerb> Verbs { get; } =
    [
        new ClusterShowCommand(), new ClusterNodesCommand(), new ClusterLeaveCommand(), new ClusterDownCommand(),
        new ClusterDownUnreachableCommand(), new ClusterTailCommand(),
        new ShardRegionsCommand(), new ShardStatsCommand(), new ShardLocateCommand(),
        new NodeHealthCommand(), new NodeInfoCommand(), new NodeDrainCommand(),
        new Commands.User.UserAddCommand(), new Commands.User.UserRemoveCommand(), new Commands.User.UserShowCommand(),
        new Commands.User.UserListCommand(), new Commands.User.UserImportCommand(),
        new Commands.Dialogs.DialogListCommand(), new Commands.Dialogs.DialogShowCommand(), new Commands.Dialogs.CdrListCommand(),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment,
        HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Length > 0 && args[0] == "sip")
        {
            return Sip.SipCommands.Run(args[1..], stdout, stderr);
        }

        var error = GlobalOptions.TryParse(args, environment, out var options, out var help);
        if (error is not null)
        {
            await stderr.WriteLineAsync("routectl: " + error);
            return ExitCodes.Usage;
        }

        if (help || options.Words.Count == 0)
        {
            await (help ? stdout : stderr).WriteLineAsync(GlobalOptions.Help);
            return help ? ExitCodes.Ok : ExitCodes.Usage;
        }

        if (options.Words.Count < 2)
        {
            await stderr.WriteLineAsync($"routectl: '{options.Words[0]}' needs a verb; run routectl --help");
            return ExitCodes.Usage;
        }

        IVerb? verb = null;
        foreach (var v in Verbs)
        {
            if (v.Group == options.Words[0] && v.Name == options.Words[1])
            {
                verb = v;
                break;
            }
        }

        if (verb is null)
        {
            await stderr.WriteLineAsync($"routectl: unknown command '{options.Words[0]} {options.Words[1]}'; run routectl --help");
            return ExitCodes.Usage;
        }

        var maxArguments = verb.MaxArguments;
        var minArguments = verb is IArgumentVerb required ? required.MinArguments : 0;
        if (options.Words.Count - 2 < minArguments)
        {
            await stderr.WriteLineAsync($"routectl: usage: routectl {verb.Group} {verb.Name} {((IArgumentVerb)verb).Usage}");
            return ExitCodes.Usage;
        }

        if (options.Words.Count - 2 > maxArguments)
        {
            await stderr.WriteLineAsync(maxArguments == 0
                ? $"routectl: '{verb.Group} {verb.Name}' takes no argument '{options.Words[2]}'"
                : $"routectl: '{verb.Group} {verb.Name}' takes at most {maxArguments} argument(s)"
                    + (verb is IArgumentVerb usage ? $"; usage: routectl {verb.Group} {verb.Name} {usage.Usage}" : string.Empty));
            return ExitCodes.Usage;
        }

        if (string.IsNullOrEmpty(options.Token))
        {
            await stderr.WriteLineAsync($"routectl: no admin token; pass --token, --token-file <data>/admin.token or set {GlobalOptions.TokenEnvironmentVariable}");
            return ExitCodes.Usage;
        }

        using var client = new AdminClient(options, handler);
        try
        {
            var context = new VerbContext(options, options.Words[2..], stdout, stderr, client)
            {
                ErrorIsTerminal = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected,
            };
            return await verb.RunAsync(context, cancellationToken);
        }
        catch (NodeUnreachableException e)
        {
            await stderr.WriteLineAsync("routectl: " + e.Message);
            return ExitCodes.Unreachable;
        }
        catch (AdminStatusException e) when (e.Response is not null)
        {
            return NodeReplies.Failure(new VerbContext(options, options.Words[2..], stdout, stderr, client), e.Response);
        }
    }
}
