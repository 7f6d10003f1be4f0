using Pm.Cli;

return await PmCommand.Create().Parse(args).InvokeAsync();
