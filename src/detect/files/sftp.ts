import {jsonConfig} from './json-config.js'

// Editors' deployment settings, saved in the project and so committed with it:
// Sublime SFTP's sftp-config.json (JSON with comments), Atom's remote-ftp
// (.ftpconfig) and remote-sync (.remote-sync.json), VS Code's SFTP extension
// (.vscode/sftp.json, one config or an array) and deployment-config.json.
// https://wbond.net/sublime_packages/sftp/settings
// https://github.com/icetee/remote-ftp#configuration-in-project-ftpconfig
// https://github.com/Natizyskunk/vscode-sftp/wiki/configuration

export const sftp = jsonConfig({
  id: 'sftp-config',
  path: /(?:^|\/)(?:sftp-config(?:-alt\d?)?\.json|\.ftpconfig|\.remote-sync\.json|\.vscode\/sftp\.json|deployment-config\.json)$/i,
  tool: 'an editor\'s SFTP/FTP deployment settings',
  passwords: /^(?:password|pass|passphrase|ssh_key_passphrase|keyPassphrase)$/i,
})
