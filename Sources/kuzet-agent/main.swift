import Foundation
import KuzetCore
print("kuzet-agent: not yet wired")
