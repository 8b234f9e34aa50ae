-- Runbook files in Neovim (0.10+): detection by the first lines (`.rb` is Ruby's), the
-- language server, and formatting on save. In init.lua: require("runbook").setup()
local M = {}

-- A `.rb` file is a runbook when one of its first lines is the `runbook NAME "Title"`
-- header, it starts with a doc comment (`##`, `##!`), or a modeline says so.
local function is_runbook(bufnr)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, 20, false)
  if lines[1] and (lines[1]:match("^##") or lines[1]:match("ft=runbook")) then
    return true
  end
  for _, line in ipairs(lines) do
    if line:match('^runbook%s+[%w_]+%s+"') then
      return true
    end
  end
  return false
end

function M.setup(opts)
  opts = opts or {}
  local cmd = opts.cmd or { "runbook", "lsp" }
  vim.filetype.add({
    extension = {
      runbook = "runbook",
      rb = function(_, bufnr)
        return is_runbook(bufnr) and "runbook" or "ruby"
      end,
    },
  })
  vim.api.nvim_create_autocmd("FileType", {
    pattern = "runbook",
    callback = function(args)
      vim.bo[args.buf].commentstring = "# %s"
      vim.lsp.start({
        name = "runbook",
        cmd = cmd,
        root_dir = vim.fs.root(args.buf, { ".git", "runbooks" }) or vim.fn.getcwd(),
      })
      if opts.format_on_save ~= false then
        vim.api.nvim_create_autocmd("BufWritePre", {
          buffer = args.buf,
          callback = function()
            vim.lsp.buf.format({ name = "runbook" })
          end,
        })
      end
    end,
  })
end

return M
