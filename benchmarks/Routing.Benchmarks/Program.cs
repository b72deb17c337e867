using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "journal")
{
    return await Routing.Benchmarks.Persistence.JournalThroughput.RunAsync(args).ConfigureAwait(false);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
